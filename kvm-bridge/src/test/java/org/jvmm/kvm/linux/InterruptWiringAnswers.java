package org.jvmm.kvm.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalLong;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.sys.EventFd;
import org.jvmm.kvm.Gsi;
import org.jvmm.kvm.GsiRoute;
import org.jvmm.kvm.IoEventAddress;
import org.jvmm.kvm.IoEventFd;
import org.jvmm.kvm.IrqFd;
import org.jvmm.kvm.KvmTestSupport;
import org.jvmm.kvm.MsiMessage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * IRQ lines, GSI routes, irqfds and ioeventfds on /dev/kvm, with the kernel's answers
 * (arch/x86/kvm/x86.c, virt/kvm/eventfd.c, virt/kvm/irqchip.c).
 */
class InterruptWiringAnswers {
    private LinuxKvm kvm;
    private LinuxVm vm;

    @BeforeEach
    void needsKvm() {
        KvmTestSupport.assumeKvm();
    }

    private void withVm(boolean irqchip, Runnable body) {
        kvm = LinuxKvm.open();
        try {
            vm = kvm.createVm(new HostMemoryRegistry());
            try {
                if (irqchip) {
                    vm.createIrqchip();
                }
                body.run();
            } finally {
                vm.close();
            }
        } finally {
            kvm.close();
        }
    }

    @Test
    @DisplayName("without an in-kernel irqchip: IRQ line ENXIO, routing/irqfd/MSI EINVAL (user-space irqchip)")
    void withoutIrqchip() {
        withVm(false, () -> {
            assertEquals(Errno.ENXIO, assertThrows(ErrnoException.class, () -> vm.irqLine(Gsi.of(4), true)).errno());
            assertEquals(Errno.EINVAL, assertThrows(ErrnoException.class,
                    () -> vm.setGsiRouting(List.of(new GsiRoute.IrqchipPin(Gsi.of(4), GsiRoute.IrqchipPin.IOAPIC, 4))))
                    .errno());
            assertEquals(Errno.EINVAL, assertThrows(ErrnoException.class,
                    () -> vm.signalMsi(MsiMessage.x86(0, 0x40))).errno());
            try (EventFd e = EventFd.create()) {
                ErrnoException ex = assertThrows(ErrnoException.class, () -> vm.irqfd(e, Gsi.of(4)));
                assertEquals(Errno.EINVAL, ex.errno());
                assertTrue(ex.getMessage().contains("gsi 4, flags=0x0"), ex.getMessage());
            }
            assertEquals(0, vm.openChildren().size());
        });
    }

    @Test
    @DisplayName("with the irqchip: IRQ line up and down, routes to IOAPIC pins and MSIs, a pin past 23 is EINVAL")
    void linesAndRoutes() {
        withVm(true, () -> {
            vm.irqLine(Gsi.of(4), true);
            vm.irqLine(Gsi.of(4), false);
            vm.setGsiRouting(List.of(
                    new GsiRoute.IrqchipPin(Gsi.of(4), GsiRoute.IrqchipPin.IOAPIC, 4),
                    new GsiRoute.Msi(Gsi.of(24), MsiMessage.x86(0, 0x41))));
            ErrnoException e = assertThrows(ErrnoException.class, () -> vm.setGsiRouting(
                    List.of(new GsiRoute.IrqchipPin(Gsi.of(4), GsiRoute.IrqchipPin.IOAPIC, 30))));
            assertEquals(Errno.EINVAL, e.errno());
            assertTrue(e.getMessage().contains("pin=30"), e.getMessage());
        });
    }

    @Test
    @DisplayName("the in-kernel PIT: once per VM (a second is EEXIST), after the irqchip; TSS and identity map set")
    void pitAndVmxAreas() {
        withVm(true, () -> {
            vm.setTssAddress(org.jvmm.address.GuestAddress.of(0xfffb_d000L));
            vm.setIdentityMapAddress(org.jvmm.address.GuestAddress.of(0xfeff_c000L));
            vm.createPit2(true);
            assertEquals(Errno.EEXIST, assertThrows(ErrnoException.class, () -> vm.createPit2(true)).errno());
        });
    }

    @Test
    @DisplayName("irqfd: the same eventfd twice is EBUSY; a resampling irqfd assigns and deassigns")
    void irqfds() {
        withVm(true, () -> {
            try (EventFd e = EventFd.create(); EventFd resample = EventFd.create(); EventFd level = EventFd.create()) {
                try (IrqFd first = vm.irqfd(e, Gsi.of(5))) {
                    ErrnoException busy = assertThrows(ErrnoException.class, () -> vm.irqfd(e, Gsi.of(6)));
                    assertEquals(Errno.EBUSY, busy.errno());
                    try (IrqFd lvl = vm.irqfd(level, Gsi.of(7), resample)) {
                        assertEquals(resample, lvl.resample());
                        assertEquals(2, vm.openChildren().size());
                    }
                }
                try (IrqFd again = vm.irqfd(e, Gsi.of(6))) {
                    assertEquals(Gsi.of(6), again.gsi(), "deassigned eventfds can be wired again");
                }
            }
        });
    }

    @Test
    @DisplayName("ioeventfd: a duplicate is EEXIST; length 3 is refused before the kernel; deassign frees it")
    void ioeventfds() {
        withVm(false, () -> {
            try (EventFd e = EventFd.create(); EventFd other = EventFd.create()) {
                IoEventAddress port = new IoEventAddress.Pio(0x600);
                try (IoEventFd first = vm.ioeventfd(e, port, 4, OptionalLong.of(1))) {
                    ErrnoException dup = assertThrows(ErrnoException.class,
                            () -> vm.ioeventfd(other, port, 4, OptionalLong.of(1)));
                    assertEquals(Errno.EEXIST, dup.errno());
                    try (IoEventFd otherValue = vm.ioeventfd(other, port, 4, OptionalLong.of(2))) {
                        assertEquals(OptionalLong.of(2), otherValue.datamatch());
                    }
                }
                ErrnoException len = assertThrows(ErrnoException.class, () -> vm.ioeventfd(e, port, 3, OptionalLong.empty()));
                assertEquals("KVM_IOEVENTFD failed: EINVAL (len=3 at Pio[port=1536]: length must be 0 (any), 1, 2, 4 or 8)",
                        len.getMessage());
                try (IoEventFd again = vm.ioeventfd(other, port, 4, OptionalLong.of(1))) {
                    assertEquals(4, again.length());
                }
            }
        });
    }
}
