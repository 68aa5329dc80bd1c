package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.jvmm.address.GuestAddress;
import org.jvmm.memory.RamRegion;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The x86-toy machine's memory hotplug (addRam, moveRam, removeRam) refuses a range that is
 * unaligned, leaves the physical address space or overlaps what is placed, and a region that is
 * not one of its DIMMs, naming the operation and the values; after a refusal the memory map, the
 * VFIO mappings and the host memory are as they were.
 */
class RamHotplugRefusesABadRangeAndLeavesTheMachineAsItWas {

    @BeforeEach
    void needsKvm() {
        KvmAvailable.assume();
    }

    private static String refused(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    /** What a refused operation must leave alone. */
    private static String state(EduMachine m) {
        var l = m.machine.vfio().listener();
        return "maps " + l.maps() + ", unmaps " + l.unmaps() + ", mapped 0x" + Long.toHexString(l.mappedBytes())
                + ", host mappings " + m.registry.mappingCount() + ", dimms " + m.machine.hotAddedRam()
                + ", view " + m.machine.layout().memory().flatView();
    }

    @Test
    void aBadRangeIsRefusedNamingItAndNothingChanges() {
        try (EduMachine m = new EduMachine(64L << 20)) {
            String before = state(m);
            assertEquals("x86-toy add-ram [0x8000800, +0x100000): start and size must be 4 KiB aligned, size above zero",
                    refused(() -> m.machine.addRam(new GuestAddress(0x800_0800L), 1L << 20)));
            assertEquals("x86-toy add-ram [0x8000000, +0x0): start and size must be 4 KiB aligned, size above zero",
                    refused(() -> m.machine.addRam(new GuestAddress(0x800_0000L), 0)));
            assertEquals("x86-toy add-ram [0x3fff000, +0x2000): overlaps ram-below-4g [0x0, 0x4000000)",
                    refused(() -> m.machine.addRam(new GuestAddress(0x3ff_f000L), 0x2000)));
            assertEquals("x86-toy add-ram [0xfee00000, +0x1000): overlaps the 32-bit hole [0xc0000000, 0x100000000)",
                    refused(() -> m.machine.addRam(new GuestAddress(0xfee0_0000L), 0x1000)));
            assertEquals("x86-toy add-ram [0xfffffffffffff000, +0x2000): beyond the physical address space (0x10000000000)",
                    refused(() -> m.machine.addRam(new GuestAddress(0xffff_ffff_ffff_f000L), 0x2000)));
            assertEquals(before, state(m));
        }
    }

    @Test
    void aMoveOntoPlacedMemoryOrARegionThatIsNoDimmIsRefusedAndTheDimmStays() {
        try (EduMachine m = new EduMachine(64L << 20)) {
            RamRegion dimm = m.machine.addRam(new GuestAddress(0x800_0000L), 1L << 20);
            String before = state(m);
            assertEquals("x86-toy add-ram [0x80ff000, +0x2000): overlaps dimm0 [0x8000000, 0x8100000)",
                    refused(() -> m.machine.addRam(new GuestAddress(0x80f_f000L), 0x2000)));
            assertEquals("x86-toy move-ram dimm0 [0x100000, +0x100000): overlaps ram-below-4g [0x0, 0x4000000)",
                    refused(() -> m.machine.moveRam(dimm, new GuestAddress(0x10_0000L))));
            RamRegion bootRam = m.machine.layout().ram();
            assertEquals("x86-toy remove-ram pc.ram: not RAM hot-added to this machine (its DIMMs: [dimm0])",
                    refused(() -> m.machine.removeRam(bootRam)));
            assertEquals(before, state(m));
            assertEquals(0x800_0000L, dimm.offset());

            m.machine.moveRam(dimm, new GuestAddress(0x800_0000L + (1L << 20) - 0x1000)); // overlapping its own old place is fine
            assertEquals(0x80f_f000L, dimm.offset());
            m.machine.removeRam(dimm);
            assertEquals(List.of(), m.machine.hotAddedRam());
            assertEquals("x86-toy remove-ram dimm0: not RAM hot-added to this machine (its DIMMs: [])",
                    refused(() -> m.machine.removeRam(dimm)));
        }
    }
}
