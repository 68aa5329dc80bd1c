package org.jvmm.hw.pci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jvmm.address.GuestAddress;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.machine.MachineMemory;
import org.jvmm.machine.x86.X86ToyLayout;
import org.jvmm.memory.AccessRules;
import org.jvmm.memory.AddressSpace;
import org.jvmm.memory.MemoryListener;
import org.jvmm.memory.MemoryRegionSection;
import org.jvmm.memory.MmioOps;
import org.jvmm.memory.MmioRegion;
import org.jvmm.pci.PciRegs;

/**
 * The guest's view of PCI through configuration mechanism #1: identification, empty slots, BAR
 * sizing, decode on and off, relocation, 64-bit BARs and the multi-function bit.
 */
class PciConfigMechanismOneSizesAndMapsBars {
    private MachineMemory mem;
    private X86ToyLayout layout;
    private AddressSpace io;
    private AddressSpace memory;

    /** A function with a 4 KiB 32-bit BAR0, a 1 MiB 64-bit BAR2 and a 32-byte I/O BAR4, answering its offset. */
    static final class TestFunction extends PciFunction {
        final List<String> log = new ArrayList<>();

        TestFunction(String name) {
            super(name, 0x1234, 0x5678, 0x00ff00, 1);
            registerBar(0, PciBarType.MEM32, new MmioRegion(name + "-bar0", 0x1000, ops("bar0")));
            registerBar(2, PciBarType.MEM64, new MmioRegion(name + "-bar2", 0x100000, ops("bar2")));
            registerBar(4, PciBarType.IO, new MmioRegion(name + "-bar4", 0x20, ops("bar4")));
            setInterruptPin(1);
        }

        private MmioOps ops(String bar) {
            return new MmioOps() {
                @Override
                public AccessRules rules() {
                    return AccessRules.DEFAULT;
                }

                @Override
                public long read(long offset, int size) {
                    return offset;
                }

                @Override
                public void write(long offset, int size, long value) {
                    log.add(bar + " w@" + offset + "=" + value);
                }
            };
        }
    }

    @BeforeEach
    void build() {
        mem = new MachineMemory(new HostMemoryRegistry());
        layout = X86ToyLayout.build(mem, 64L << 20, new ByteArrayOutputStream(), s -> { });
        io = layout.io();
        memory = layout.memory();
    }

    @AfterEach
    void release() {
        mem.close();
    }

    private void select(int device, int function, int register) {
        io.write(new GuestAddress(0xcf8), 4, 0x8000_0000L | device << 11 | function << 8 | register);
    }

    private long cfgRead(int device, int register, int size) {
        select(device, 0, register & ~3);
        return io.read(new GuestAddress(0xcfc + (register & 3)), size);
    }

    private void cfgWrite(int device, int register, int size, long value) {
        select(device, 0, register & ~3);
        io.write(new GuestAddress(0xcfc + (register & 3)), size, value);
    }

    @Test
    void theHostBridgeIdentifiesItselfAndEmptySlotsReadAllOnes() {
        assertEquals(0x0008_1b36L, cfgRead(0, 0, 4));
        assertEquals(0x0600, cfgRead(0, PciRegs.CLASS_DEVICE, 2));
        assertEquals(0xffff_ffffL, cfgRead(7, 0, 4));
        io.write(new GuestAddress(0xcf8), 4, 0); // enable bit clear
        assertEquals(0xffff_ffffL, io.read(new GuestAddress(0xcfc), 4));
        io.write(new GuestAddress(0xcf8), 4, 0x8001_0000L); // bus 1 does not exist
        assertEquals(0xffff_ffffL, io.read(new GuestAddress(0xcfc), 4));
    }

    @Test
    void sizingABarReadsBackItsSizeMaskAndTypeBits() {
        layout.pciBus().plug(new PciDevfn(3, 0), new TestFunction("t"));
        cfgWrite(3, 0x10, 4, 0xffff_ffffL);
        assertEquals(0xffff_f000L, cfgRead(3, 0x10, 4));
        cfgWrite(3, 0x18, 4, 0xffff_ffffL);
        cfgWrite(3, 0x1c, 4, 0xffff_ffffL);
        assertEquals(0xfff0_0004L, cfgRead(3, 0x18, 4));
        assertEquals(0xffff_ffffL, cfgRead(3, 0x1c, 4));
        cfgWrite(3, 0x20, 4, 0xffff_ffffL);
        assertEquals(0xffff_ffe1L, cfgRead(3, 0x20, 4));
        // read-only identification ignores writes
        cfgWrite(3, 0, 4, 0);
        assertEquals(0x5678_1234L, cfgRead(3, 0, 4));
    }

    @Test
    void aBarAppearsOnlyWhileDecodeIsOnAndFollowsRelocation() {
        TestFunction t = new TestFunction("t");
        layout.pciBus().plug(new PciDevfn(3, 0), t);
        cfgWrite(3, 0x10, 4, 0xc000_1000L);
        assertEquals(0xffff_ffffL, memory.read(new GuestAddress(0xc000_1008L), 4));
        assertEquals(PciFunction.UNMAPPED, t.barAddress(0));

        cfgWrite(3, PciRegs.COMMAND, 2, PciRegs.COMMAND_MEMORY);
        assertEquals(0xc000_1000L, t.barAddress(0));
        assertEquals(8, memory.read(new GuestAddress(0xc000_1008L), 4));

        cfgWrite(3, 0x10, 4, 0xc000_4000L);
        assertEquals(0xffff_ffffL, memory.read(new GuestAddress(0xc000_1008L), 4));
        assertEquals(0x10, memory.read(new GuestAddress(0xc000_4010L), 4));

        cfgWrite(3, PciRegs.COMMAND, 2, 0);
        assertEquals(0xffff_ffffL, memory.read(new GuestAddress(0xc000_4010L), 4));
        assertEquals(PciFunction.UNMAPPED, t.barAddress(0));
    }

    @Test
    void sixtyFourBitAndIoBarsMapWhereTheGuestPutsThem() {
        TestFunction t = new TestFunction("t");
        layout.pciBus().plug(new PciDevfn(3, 0), t);
        long hole64 = X86ToyLayout.pciHole64Start(64L << 20);
        cfgWrite(3, 0x18, 4, hole64 & 0xffff_ffffL);
        cfgWrite(3, 0x1c, 4, hole64 >>> 32);
        cfgWrite(3, 0x20, 4, 0xc000);
        cfgWrite(3, PciRegs.COMMAND, 2, PciRegs.COMMAND_MEMORY | PciRegs.COMMAND_IO);
        assertEquals(hole64, t.barAddress(2));
        assertEquals(0x40, memory.read(new GuestAddress(hole64 + 0x40), 4));
        io.write(new GuestAddress(0xc004), 1, 9);
        assertEquals(List.of("bar4 w@4=9"), t.log);
    }

    @Test
    void bar32AddressesThatWouldWrapAreNotMapped() {
        TestFunction t = new TestFunction("t");
        layout.pciBus().plug(new PciDevfn(3, 0), t);
        cfgWrite(3, PciRegs.COMMAND, 2, PciRegs.COMMAND_MEMORY);
        cfgWrite(3, 0x10, 4, 0xffff_ffffL); // sizing leaves the BAR at 0xfffff000: its end would pass 4 GiB
        assertEquals(PciFunction.UNMAPPED, t.barAddress(0));
    }

    /**
     * A 64-bit BAR the guest puts at or above 2^63 (unsigned) lies past every region of the memory
     * tree: it is not mapped (QEMU's pci_bar_address leaves such a BAR unmapped), and the config
     * write neither throws nor disturbs the BAR's earlier mapping once it is moved back.
     */
    @Test
    void bar64AddressesAtTheTopBitOrNear2To64AreNotMappedAndDoNotThrow() {
        TestFunction t = new TestFunction("t");
        layout.pciBus().plug(new PciDevfn(3, 0), t);
        cfgWrite(3, PciRegs.COMMAND, 2, PciRegs.COMMAND_MEMORY);
        for (long upper : new long[] {0x8000_0000L, 0xffff_ffffL, 0xc000_0000L}) {
            cfgWrite(3, 0x18, 4, 0);
            cfgWrite(3, 0x1c, 4, upper);
            assertEquals(PciFunction.UNMAPPED, t.barAddress(2), "upper dword 0x" + Long.toHexString(upper));
            assertEquals(-1L, memory.read(new GuestAddress(upper << 32), 8));
        }
        cfgWrite(3, 0x18, 4, 0xfff0_0000L); // all ones but the size bits: the BAR's last byte is 2^64 - 1
        assertEquals(PciFunction.UNMAPPED, t.barAddress(2));
        long hole64 = X86ToyLayout.pciHole64Start(64L << 20);
        cfgWrite(3, 0x18, 4, hole64 & 0xffff_ffffL);
        cfgWrite(3, 0x1c, 4, hole64 >>> 32);
        assertEquals(hole64, t.barAddress(2));
        assertEquals(0x40, memory.read(new GuestAddress(hole64 + 0x40), 4));
    }

    @Test
    void listenersSeeBarsComeAndGo() {
        TestFunction t = new TestFunction("t");
        layout.pciBus().plug(new PciDevfn(3, 0), t);
        List<String> seen = new ArrayList<>();
        memory.addListener(new MemoryListener() {
            @Override
            public void regionAdd(MemoryRegionSection s) {
                seen.add("add " + s);
            }

            @Override
            public void regionDel(MemoryRegionSection s) {
                seen.add("del " + s);
            }
        });
        seen.clear();
        cfgWrite(3, 0x10, 4, 0xc000_0000L);
        cfgWrite(3, PciRegs.COMMAND, 2, PciRegs.COMMAND_MEMORY);
        cfgWrite(3, PciRegs.COMMAND, 2, 0);
        assertEquals(List.of("add t-bar0@0xc0000000+0x1000", "del t-bar0@0xc0000000+0x1000"), seen);
    }

    @Test
    void functionZeroBecomesMultiFunctionWhenASiblingJoins() {
        layout.pciBus().plug(new PciDevfn(4, 0), new TestFunction("f0"));
        assertEquals(0, cfgRead(4, PciRegs.HEADER_TYPE, 1));
        layout.pciBus().plug(new PciDevfn(4, 1), new TestFunction("f1"));
        assertEquals(0x80, cfgRead(4, PciRegs.HEADER_TYPE, 1));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> layout.pciBus().plug(new PciDevfn(4, 1), new TestFunction("again")));
        assertEquals("pci bus pci.0 plug again at 04.1: slot taken by f1", e.getMessage());
    }

    @Test
    void unplugTakesTheBarsOutOfTheAddressSpaces() {
        TestFunction t = new TestFunction("t");
        layout.pciBus().plug(new PciDevfn(3, 0), t);
        cfgWrite(3, 0x10, 4, 0xc000_0000L);
        cfgWrite(3, PciRegs.COMMAND, 2, PciRegs.COMMAND_MEMORY);
        layout.pciBus().unplug(new PciDevfn(3, 0));
        assertEquals(0xffff_ffffL, memory.read(new GuestAddress(0xc000_0000L), 4));
        assertEquals(0xffff_ffffL, cfgRead(3, 0, 4));
    }
}
