package org.jvmm.hw.pci;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import org.jvmm.address.GuestAddress;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.machine.MachineMemory;
import org.jvmm.machine.x86.X86ToyLayout;
import org.jvmm.memory.AddressSpace;
import org.jvmm.pci.PciRegs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Found by the x86 exit fuzzer (corpus file bar64-upper-half-top-bit.case): a guest that wrote a
 * 64-bit BAR's upper half with the top bit set while memory decode was on made the BAR mapping
 * throw out of the config write ("offset ... is negative") and left the BAR half removed. A BAR
 * programmed where no CPU address reaches it decodes nothing; moving it back maps it again.
 */
class A64BitBarBeyondTheBusAddressSpaceDecodesNothing {
    private final MachineMemory mem = new MachineMemory(new HostMemoryRegistry());
    private final X86ToyLayout layout = X86ToyLayout.build(mem, 16L << 20, new ByteArrayOutputStream(), s -> { });
    private final AddressSpace io = layout.io();
    private final AddressSpace memory = layout.memory();

    @AfterEach
    void release() {
        mem.close();
    }

    private void cfgWrite(int register, long value) {
        io.write(new GuestAddress(0xcf8), 4, 0x8000_0000L | 3 << 11 | register);
        io.write(new GuestAddress(0xcfc), 4, value);
    }

    @Test
    @DisplayName("BAR2 (64-bit, 1 MiB) moved to 0x9ed6f280_c0200000 and to 1 TiB + 0xc0200000 decodes nothing; moved back it answers again")
    void upperHalfBeyondTheBus() {
        PciConfigMechanismOneSizesAndMapsBars.TestFunction t = new PciConfigMechanismOneSizesAndMapsBars.TestFunction("t");
        layout.pciBus().plug(new PciDevfn(3, 0), t);
        cfgWrite(0x18, 0xc020_0000L);
        cfgWrite(0x1c, 0);
        cfgWrite(PciRegs.COMMAND, PciRegs.COMMAND_MEMORY);
        assertEquals(0xc020_0000L, t.barAddress(2));
        assertEquals(8, memory.read(new GuestAddress(0xc020_0008L), 4));

        cfgWrite(0x1c, 0x9ed6_f280L);
        assertEquals(PciFunction.UNMAPPED, t.barAddress(2));
        assertEquals(0xffff_ffffL, memory.read(new GuestAddress(0xc020_0008L), 4));

        cfgWrite(0x1c, X86ToyLayout.PHYS_SPACE >>> 32);
        assertEquals(PciFunction.UNMAPPED, t.barAddress(2));

        cfgWrite(0x1c, 0);
        assertEquals(0xc020_0000L, t.barAddress(2));
        assertEquals(8, memory.read(new GuestAddress(0xc020_0008L), 4));
    }
}
