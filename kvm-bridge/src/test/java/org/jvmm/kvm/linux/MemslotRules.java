package org.jvmm.kvm.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Set;
import org.jvmm.address.GuestAddress;
import org.jvmm.address.HostAddress;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.kvm.Capability;
import org.jvmm.kvm.KvmTestSupport;
import org.jvmm.kvm.Memslot;
import org.jvmm.kvm.MemslotFlag;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Memslots on /dev/kvm: host memory must come from the VM's registry (EFAULT before the ioctl),
 * addresses and size must be page aligned (EINVAL), overlaps are the kernel's EEXIST, and a
 * refused call consumes no slot.
 */
class MemslotRules {
    private ForwardingSyscalls sys;

    @BeforeEach
    void needsKvm() {
        KvmTestSupport.assumeKvm();
        sys = new ForwardingSyscalls();
    }

    @Test
    @DisplayName("a host address outside the registry is EFAULT and never reaches the kernel")
    void foreignHostAddressIsEfaultBeforeTheIoctl() {
        HostMemoryRegistry registry = new HostMemoryRegistry();
        try (LinuxKvm kvm = LinuxKvm.open(sys, "/dev/kvm"); LinuxVm vm = kvm.createVm(registry);
                Arena arena = Arena.ofConfined()) {
            MemorySegment foreign = arena.allocate(0x2000, 0x1000);
            ErrnoException e = assertThrows(ErrnoException.class,
                    () -> vm.mapMemory(GuestAddress.of(0), 0x1000, new HostAddress(foreign.address())));
            assertEquals(Errno.EFAULT, e.errno());
            assertEquals("KVM_SET_USER_MEMORY_REGION", e.operation());
            assertEquals(true, e.getMessage().contains("not inside one mapping of this VM's host memory registry"));
            assertEquals(0, sys.setMemoryRegionCalls);
            assertEquals(0, vm.openChildren().size());
        }
    }

    @Test
    @DisplayName("a range that runs past the end of a registered mapping is EFAULT too")
    void rangePastTheMappingIsEfault() {
        HostMemoryRegistry registry = new HostMemoryRegistry();
        try (HostMapping ram = registry.allocate("ram", 0x4000); LinuxKvm kvm = LinuxKvm.open(sys, "/dev/kvm");
                LinuxVm vm = kvm.createVm(registry)) {
            ErrnoException e = assertThrows(ErrnoException.class,
                    () -> vm.mapMemory(GuestAddress.of(0), 0x5000, ram.address()));
            assertEquals(Errno.EFAULT, e.errno());
            assertEquals(0, sys.setMemoryRegionCalls);
        }
    }

    @Test
    @DisplayName("unaligned guest address or size is EINVAL naming the values")
    void unalignedIsEinval() {
        HostMemoryRegistry registry = new HostMemoryRegistry();
        try (HostMapping ram = registry.allocate("ram", 0x4000); LinuxKvm kvm = LinuxKvm.open(sys, "/dev/kvm");
                LinuxVm vm = kvm.createVm(registry)) {
            ErrnoException e = assertThrows(ErrnoException.class,
                    () -> vm.mapMemory(GuestAddress.of(0x800), 0x1000, ram.address()));
            assertEquals(Errno.EINVAL, e.errno());
            assertEquals(true, e.getMessage().contains("guest=0x800, size=0x1000"), e.getMessage());
            assertThrows(ErrnoException.class, () -> vm.mapMemory(GuestAddress.of(0), 0x1800, ram.address()));
            assertEquals(0, sys.setMemoryRegionCalls);
        }
    }

    @Test
    @DisplayName("an overlapping slot is the kernel's EEXIST, and the refused call consumes no slot")
    void overlapIsEexistAndConsumesNoSlot() {
        HostMemoryRegistry registry = new HostMemoryRegistry();
        try (HostMapping ram = registry.allocate("ram", 0x8000); LinuxKvm kvm = LinuxKvm.open(sys, "/dev/kvm");
                LinuxVm vm = kvm.createVm(registry)) {
            try (Memslot first = vm.mapMemory(GuestAddress.of(0), 0x4000, ram.address())) {
                ErrnoException e = assertThrows(ErrnoException.class,
                        () -> vm.mapMemory(GuestAddress.of(0x2000), 0x4000, ram.address().plus(0x4000)));
                assertEquals(Errno.EEXIST, e.errno());
                assertEquals(true, e.getMessage().contains("slot=1"), e.getMessage());
                try (Memslot second = vm.mapMemory(GuestAddress.of(0x4000), 0x4000, ram.address().plus(0x4000))) {
                    assertEquals(0, first.slot());
                    assertEquals(1, second.slot());
                    assertEquals(2, vm.openChildren().size());
                }
            }
            assertEquals(0, vm.openChildren().size());
        }
    }

    @Test
    @DisplayName("closing a slot frees its number and its guest range; closing twice throws")
    void closeFreesSlotAndTwiceThrows() {
        HostMemoryRegistry registry = new HostMemoryRegistry();
        try (HostMapping ram = registry.allocate("ram", 0x4000); LinuxKvm kvm = LinuxKvm.open(sys, "/dev/kvm");
                LinuxVm vm = kvm.createVm(registry)) {
            Memslot m = vm.mapMemory(GuestAddress.of(0), 0x4000, ram.address());
            m.close();
            assertThrows(IllegalStateException.class, m::close);
            try (Memslot again = vm.mapMemory(GuestAddress.of(0), 0x4000, ram.address(), Set.of(MemslotFlag.LOG_DIRTY_PAGES))) {
                assertEquals(0, again.slot());
                assertEquals(Set.of(MemslotFlag.LOG_DIRTY_PAGES), again.flags());
            }
        }
    }

    @Test
    @DisplayName("read-only memslots need KVM_CAP_READONLY_MEM; without it the refusal names it and takes no slot")
    void readOnlyNeedsItsCapability() {
        ForwardingSyscalls noRo = new ForwardingSyscalls() {
            @Override
            public int ioctl(int fd, long request, long arg) {
                return request == KvmIoctls.KVM_CHECK_EXTENSION && arg == Capability.READONLY_MEM.number() ? 0
                        : super.ioctl(fd, request, arg);
            }
        };
        HostMemoryRegistry registry = new HostMemoryRegistry();
        try (HostMapping ram = registry.allocate("rom", 0x1000); LinuxKvm kvm = LinuxKvm.open(noRo, "/dev/kvm");
                LinuxVm vm = kvm.createVm(registry)) {
            ErrnoException e = assertThrows(ErrnoException.class,
                    () -> vm.mapMemory(GuestAddress.of(0), 0x1000, ram.address(), Set.of(MemslotFlag.READONLY)));
            assertEquals(Errno.EOPNOTSUPP, e.errno());
            assertEquals(true, e.getMessage().contains("KVM_CAP_READONLY_MEM (81)"), e.getMessage());
            assertEquals(0, noRo.setMemoryRegionCalls);
        }
    }
}
