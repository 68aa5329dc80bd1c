package org.jvmm.kvm;

import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.jvmm.address.GuestAddress;
import org.jvmm.address.HostAddress;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.sys.EventFd;

/**
 * One virtual machine: guest-physical memory (memslots), interrupt wiring (in-kernel irqchip,
 * IRQ lines, MSIs, GSI routes, irqfds), ioeventfds, KVM devices, and its vCPUs.
 *
 * <p>Thread rules: every method may be called from any thread (the kernel serializes VM ioctls;
 * this object guards its own bookkeeping with its monitor). A vCPU may be running while memslots,
 * routes or irqfds change, as with KVM. Lock order: the VM's monitor is never held while a vCPU
 * runs, and no method takes a vCPU's lock.
 *
 * <p>Ownership: the caller owns each object returned here and closes it; the VM refuses to close
 * while any is still open. Failures are {@link ErrnoException}s naming the ioctl, the errno and
 * the offending values; a failed call leaves the VM as it was.
 */
public interface Vm extends AutoCloseable {

    /** KVM_CREATE_VCPU with this vCPU id. */
    Vcpu createVcpu(int id);

    /**
     * KVM_SET_USER_MEMORY_REGION: makes guest-physical [guestAddress, guestAddress + size) the
     * host memory at {@code hostAddress}, in the lowest free slot. The host range must lie inside
     * one mapping of the VM's host memory registry (EFAULT otherwise, before the ioctl), and
     * addresses and size must be page aligned (EINVAL). Overlapping another slot is EEXIST.
     * Close the memslot before the host mapping it names.
     */
    Memslot mapMemory(GuestAddress guestAddress, long size, HostAddress hostAddress, Set<MemslotFlag> flags);

    /** {@link #mapMemory(GuestAddress, long, HostAddress, Set)} with no flags. */
    default Memslot mapMemory(GuestAddress guestAddress, long size, HostAddress hostAddress) {
        return mapMemory(guestAddress, size, hostAddress, Set.of());
    }

    /** KVM_CREATE_IRQCHIP: the in-kernel interrupt controllers (on x86: PIC, IOAPIC, LAPICs). */
    void createIrqchip();

    /** KVM_IRQ_LINE: raises or lowers an irqchip input line (a GSI routed to an irqchip pin). */
    void irqLine(Gsi gsi, boolean level);

    /**
     * KVM_SIGNAL_MSI: injects one MSI. Returns what the kernel returns: &gt; 0 delivered, 0 blocked
     * by the guest (e.g. masked); needs the in-kernel irqchip.
     */
    int signalMsi(MsiMessage message);

    /**
     * KVM_SET_GSI_ROUTING: replaces the VM's whole GSI routing table with {@code routes}
     * (including the default irqchip routes KVM_CREATE_IRQCHIP installs).
     */
    void setGsiRouting(List<GsiRoute> routes);

    /** KVM_IRQFD: a signal of {@code eventFd} raises {@code gsi} in the kernel, no exit to the VMM. */
    IrqFd irqfd(EventFd eventFd, Gsi gsi);

    /**
     * KVM_IRQFD with KVM_IRQFD_FLAG_RESAMPLE: a level-triggered irqfd; the kernel signals
     * {@code resample} when the guest acknowledges the interrupt, so the VMM can re-raise it if
     * the device still asserts it.
     */
    IrqFd irqfd(EventFd eventFd, Gsi gsi, EventFd resample);

    /**
     * KVM_IOEVENTFD: a guest write of {@code length} bytes to {@code address} (matching
     * {@code datamatch} when present) signals {@code eventFd} in the kernel instead of exiting to
     * the VMM. Length 0 matches writes of any length (KVM_CAP_IOEVENTFD_ANY_LENGTH).
     */
    IoEventFd ioeventfd(EventFd eventFd, IoEventAddress address, int length, OptionalLong datamatch);

    /** KVM_CREATE_DEVICE with KVM_CREATE_DEVICE_TEST: true when this VM could make such a device. */
    boolean supportsDevice(KvmDeviceType type);

    /** KVM_CREATE_DEVICE. */
    KvmDevice createDevice(KvmDeviceType type);

    /** The KVM-VFIO pseudo device (one per VM: a second is EBUSY). */
    default KvmVfioDevice createVfioDevice() {
        return new KvmVfioDevice(createDevice(KvmDeviceType.VFIO));
    }

    /** Closes the VM. Throws IllegalStateException while objects it made are open, or if closed twice. */
    @Override
    void close();
}
