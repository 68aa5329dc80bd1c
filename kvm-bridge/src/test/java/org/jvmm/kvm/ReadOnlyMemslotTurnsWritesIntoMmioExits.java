package org.jvmm.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.util.Set;
import org.jvmm.address.GuestAddress;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.kvm.linux.LinuxVm;
import org.junit.jupiter.api.Test;

/**
 * On /dev/kvm: the guest reads a read-only memslot (KVM_MEM_READONLY) like RAM, and its write
 * there exits to the VMM as an MMIO write, leaving the memory unchanged.
 */
class ReadOnlyMemslotTurnsWritesIntoMmioExits {

    @Test
    void readsSeeTheRomAndTheWriteExitsAsMmio() {
        KvmTestSupport.assumeKvm();
        try (GuestRig rig = new GuestRig(0x200000, false); HostMapping rom = rig.registry.allocate("rom", 0x1000)) {
            rom.segment().set(ValueLayout.JAVA_INT, 0, 0xa5a5_0001);
            try (Memslot romSlot = rig.vm.mapMemory(GuestAddress.of(0x200000), 0x1000, rom.address(),
                    Set.of(MemslotFlag.READONLY))) {
                rig.boot64(GuestRig.ROM);

                VcpuExit.Mmio write = (VcpuExit.Mmio) rig.runUntil(e -> e instanceof VcpuExit.Mmio, 1000);
                assertEquals("rom 0xa5a50001\n", rig.console.toString());
                assertTrue(write.isWrite());
                assertEquals(GuestAddress.of(0x200000), write.address());
                assertEquals(0x1122_3344L, write.value());
                rig.runUntil(GuestRig::isExitPort, 1000);
                assertEquals(0, rig.exitStatus);
                assertEquals(0xa5a5_0001, rom.segment().get(ValueLayout.JAVA_INT, 0), "the ROM is unchanged");
                assertEquals(1, romSlot.slot());
            }
        }
    }

    @Test
    void vmReportsTheCapability() {
        KvmTestSupport.assumeKvm();
        try (GuestRig rig = new GuestRig(0x1000, false)) {
            LinuxVm vm = rig.vm;
            assertEquals(1, vm.checkExtension(Capability.READONLY_MEM));
        }
    }
}
