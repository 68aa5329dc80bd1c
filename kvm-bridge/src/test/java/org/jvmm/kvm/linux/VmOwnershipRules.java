package org.jvmm.kvm.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalLong;
import org.jvmm.address.GuestAddress;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.sys.EventFd;
import org.jvmm.kvm.IoEventAddress;
import org.jvmm.kvm.KvmTestSupport;
import org.jvmm.kvm.Memslot;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** On /dev/kvm: one owner per object, children before parents, closing twice is a bug that shows. */
class VmOwnershipRules {

    @BeforeEach
    void needsKvm() {
        KvmTestSupport.assumeKvm();
    }

    @Test
    @DisplayName("a VM refuses to close while a vCPU or memslot is open, naming them, and stays usable")
    void vmRefusesToCloseWithOpenChildren() {
        HostMemoryRegistry registry = new HostMemoryRegistry();
        try (HostMapping ram = registry.allocate("ram", 0x1000); LinuxKvm kvm = LinuxKvm.open()) {
            LinuxVm vm = kvm.createVm(registry);
            LinuxVcpu vcpu = vm.createVcpu(0);
            Memslot slot = vm.mapMemory(GuestAddress.of(0), 0x1000, ram.address());

            IllegalStateException e = assertThrows(IllegalStateException.class, vm::close);
            assertTrue(e.getMessage().contains("LinuxVcpu[id=0"), e.getMessage());
            assertTrue(e.getMessage().contains("Memslot[slot=0 guest=0x0 size=0x1000"), e.getMessage());
            assertEquals(1, vm.checkExtension(org.jvmm.kvm.Capability.USER_MEMORY), "still open and usable");

            slot.close();
            vcpu.close();
            vm.close();
            assertThrows(IllegalStateException.class, vm::close);
            assertThrows(IllegalStateException.class, () -> vm.createVcpu(1));
        }
    }

    @Test
    @DisplayName("closing twice throws for the vCPU and the KVM handle; a closed vCPU refuses run and kick")
    void closeTwiceThrows() {
        HostMemoryRegistry registry = new HostMemoryRegistry();
        LinuxKvm kvm = LinuxKvm.open();
        try (LinuxVm vm = kvm.createVm(registry)) {
            LinuxVcpu vcpu = vm.createVcpu(0);
            vcpu.close();
            assertThrows(IllegalStateException.class, vcpu::close);
            assertThrows(IllegalStateException.class, vcpu::run);
            assertThrows(IllegalStateException.class, vcpu::kick);
            assertThrows(IllegalStateException.class, vcpu::regs);
        }
        kvm.close();
        assertThrows(IllegalStateException.class, kvm::close);
        assertThrows(IllegalStateException.class, kvm::apiVersion);
    }

    @Test
    @DisplayName("a vCPU id lives until its VM goes: creating it again is EEXIST")
    void vcpuIdCannotBeReused() {
        try (LinuxKvm kvm = LinuxKvm.open(); LinuxVm vm = kvm.createVm(new HostMemoryRegistry())) {
            vm.createVcpu(3).close();
            ErrnoException e = assertThrows(ErrnoException.class, () -> vm.createVcpu(3));
            assertEquals(Errno.EEXIST, e.errno());
            assertEquals("KVM_CREATE_VCPU failed: EEXIST (id=3)", e.getMessage());
        }
    }

    @Test
    @DisplayName("closing an eventfd before its ioeventfd is refused by the ioeventfd, which stays assigned")
    void eventfdClosedFirstIsABugThatShows() {
        try (LinuxKvm kvm = LinuxKvm.open(); LinuxVm vm = kvm.createVm(new HostMemoryRegistry())) {
            EventFd e = EventFd.create();
            var io = vm.ioeventfd(e, new IoEventAddress.Pio(0x700), 2, OptionalLong.empty());
            e.close();
            IllegalStateException ex = assertThrows(IllegalStateException.class, io::close);
            assertTrue(ex.getMessage().contains("close the ioeventfd before the eventfd"), ex.getMessage());
            assertEquals(1, vm.openChildren().size());
            // The VM now cannot close: release it by hand as the owner would have to.
            vm.forget(io);
        }
    }

    @Test
    @DisplayName("the VM closes after irqfds and ioeventfds are deassigned; their eventfds stay the caller's")
    void eventfdWiringIsOwnedByTheVmSide() {
        try (LinuxKvm kvm = LinuxKvm.open(); EventFd e = EventFd.create()) {
            LinuxVm vm = kvm.createVm(new HostMemoryRegistry());
            vm.createIrqchip();
            var irqfd = vm.irqfd(e, org.jvmm.kvm.Gsi.of(5));
            var io = vm.ioeventfd(e, new IoEventAddress.Pio(0x700), 2, OptionalLong.of(7));
            assertThrows(IllegalStateException.class, vm::close);
            irqfd.close();
            io.close();
            assertThrows(IllegalStateException.class, irqfd::close);
            assertThrows(IllegalStateException.class, io::close);
            vm.close();
            e.signal();
            assertEquals(1, e.readCount(), "the eventfd is still open and the caller's");
        }
    }
}
