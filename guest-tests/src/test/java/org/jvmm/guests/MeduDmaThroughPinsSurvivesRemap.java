package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jvmm.address.GuestAddress;
import org.jvmm.devices.medu.MeduDevice;
import org.jvmm.host.Errno;
import org.jvmm.machine.config.MdevParentConfig;
import org.jvmm.machine.config.VfioMdevConfig;
import org.jvmm.memory.RamRegion;
import org.jvmm.vfio.iommu.Type1Iommu;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Guest (h): medu (A.12) through sysfsdev=: DMA through pinned pages; the VMM removes RAM at a
 * checkpoint (as the remap guest), TYPE1 notifies medu first, the pins go, the next DMA to
 * the old IOVA faults; RAM added again works. With a two-page RLIMIT_MEMLOCK the third page's pin
 * fails (A-22, lazy charging). A medu that forgets to unpin makes the removal the kernel's fatal
 * case.
 */
@DisplayName("guest h: medu DMA through pins; RAM removed: notifier, unpin, fault; small memlock; forgetting to unpin")
class MeduDmaThroughPinsSurvivesRemap {

    @BeforeEach
    void needsKvm() {
        KvmAvailable.assume();
    }

    @Test
    @DisplayName("round trip, DMA into hot-added RAM, removal notifies and unpins, old IOVA faults, RAM added again works")
    void remap() throws Exception {
        try (MdevMachine m = new MdevMachine("medu-pin")) {
            MeduDevice medu = (MeduDevice) m.mdev.vendorDevice();
            RamRegion[] dimm = new RamRegion[1];
            List<String> seen = new ArrayList<>();
            var r = m.boot("medu", 0, n -> {
                switch (n) {
                    case 1 -> dimm[0] = m.machine.addRam(new GuestAddress(0x800_0000L), 1L << 20);
                    case 2 -> m.machine.removeRam(dimm[0]);
                    case 3 -> m.machine.addRam(new GuestAddress(0x900_0000L), 1L << 20);
                    default -> throw new AssertionError("unexpected checkpoint " + n);
                }
                Type1Iommu.MdevCounters c = m.type1().mdevCounters();
                seen.add(n + ": pinned " + medu.pinnedPages() + ", notifications " + medu.notifications() + ", rounds "
                        + c.notificationRounds() + ", faults " + medu.dmaFaults());
            });
            assertEquals("""
                    medu: round trip through pinned pages: ok
                    medu: DMA into hot-added RAM at 0x8000000: ok
                    medu: after removal: 0x8000000 reads 0xffffffff
                    medu: DMA into RAM added again at 0x9000000: ok
                    medu: interrupts 5
                    medu: PASS
                    """, m.console());
            assertTrue(r.exitedWith(1), r.toString());
            assertEquals(List.of("1: pinned 2, notifications 0, rounds 0, faults 0",
                    "2: pinned 2, notifications 1, rounds 1, faults 0",
                    "3: pinned 2, notifications 1, rounds 1, faults 1"), seen);
            assertEquals(Errno.EINVAL, medu.lastDmaError().errno());
            Type1Iommu.MdevCounters c = m.type1().mdevCounters();
            assertEquals(4, c.pinCalls(), "a, b, the DIMM page, the page at 0x9000000");
            assertEquals(1, c.unpinCalls(), "the DIMM's page, unpinned when the notifier fired");
            assertEquals(3, medu.pinnedPages());
        }
    }

    @Test
    @DisplayName("RLIMIT_MEMLOCK of two pages: MAP_DMA of all RAM succeeds, the third page's pin is ENOMEM, that DMA moves nothing")
    void smallMemlock() throws Exception {
        try (MdevMachine m = new MdevMachine("medu-pin", null, VfioMdevConfig.Display.OFF, 8192)) {
            MeduDevice medu = (MeduDevice) m.mdev.vendorDevice();
            var r = m.boot("medu", 1, null);
            assertEquals("""
                    medu: memlock: a -> b copied, the third page untouched
                    medu: PASS
                    """, m.console());
            assertTrue(r.exitedWith(1), r.toString());
            assertEquals(1, medu.dmaFaults());
            assertEquals(Errno.ENOMEM, medu.lastDmaError().errno());
            assertEquals(2, medu.pinnedPages());
        }
    }

    @Test
    @DisplayName("a medu that forgets to unpin: removing RAM is TYPE1's fatal case after 11 notifications, naming the range")
    void forgetUnpin() throws Exception {
        MdevParentConfig parent = new MdevParentConfig(MdevParentConfig.Driver.MEDU, 0, 4, true, "-host-device medu,forget-unpin=on");
        MdevMachine m = new MdevMachine("medu-pin", parent, VfioMdevConfig.Display.OFF, 1L << 30);
        MeduDevice medu = (MeduDevice) m.mdev.vendorDevice();
        RamRegion[] dimm = new RamRegion[1];
        List<String> fatal = new ArrayList<>();
        m.boot("medu", 0, n -> {
            if (n == 1) {
                dimm[0] = m.machine.addRam(new GuestAddress(0x800_0000L), 1L << 20);
            } else if (n == 2) {
                try {
                    m.machine.removeRam(dimm[0]);
                } catch (IllegalStateException e) {
                    fatal.add(e.getMessage());
                }
            }
        });
        assertEquals(1, fatal.size(), m.console());
        assertTrue(fatal.get(0).contains("BUG") && fatal.get(0).contains("[0x8000000, 0x8100000)"), fatal.get(0));
        assertEquals(11, medu.notifications());
        assertEquals(11, m.type1().mdevCounters().notificationRounds());
        // the host "crashed": tearing the machine down meets the same BUG for the mappings medu still pins
        IllegalStateException atClose = assertThrows(IllegalStateException.class, m::close);
        assertTrue(atClose.getMessage().contains("BUG"), atClose.getMessage());
    }
}
