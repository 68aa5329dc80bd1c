package org.jvmm.hw.vfio;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jvmm.memory.AddressSpace;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioDevice;
import org.jvmm.vfio.VfioGroup;
import org.jvmm.vfio.uapi.VfioUapi;

/**
 * One VFIO container for one guest address space, with its groups (QEMU's VFIOAddressSpace and
 * VFIOContainer): the first device opens /dev/vfio/vfio, adds its group, sets the TYPE1v2 IOMMU
 * and registers the {@link VfioType1Listener}, whose replay maps all guest RAM; later devices add
 * their groups to the same container. The canonical flow of Documentation/vfio.txt.
 *
 * <p>Owns the container, the groups and the listener. {@link #close()} removes the listener (every
 * mapping is unmapped), detaches and closes the groups, then closes the container; devices must
 * be closed first. Used under the machine's control (device realize and teardown).
 */
public final class VfioType1Space implements VfioSpace, AutoCloseable {
    private final HostPciPlatform platform;
    private final AddressSpace memory;
    private final VfioContainer container;
    private final Map<Integer, VfioGroup> groups = new LinkedHashMap<>();
    private VfioType1Listener listener;
    private boolean closed;

    public VfioType1Space(HostPciPlatform platform, AddressSpace memory) {
        this.platform = platform;
        this.memory = memory;
        this.container = VfioContainer.open(platform);
    }

    /**
     * Opens the device at {@code host}: its group joins the container (the IOMMU is set and guest
     * RAM mapped on the first), then VFIO_GROUP_GET_DEVICE_FD. A failure leaves the space as it was.
     */
    @Override
    public synchronized VfioDevice openDevice(PciAddress host) {
        return openDevice(platform.iommuGroupOf(host), host.toString());
    }

    /**
     * Opens the device named {@code name} in VFIO group {@code groupNumber} (an mdev: its UUID in
     * its own emulated group, as QEMU does for {@code sysfsdev=}); the group joins the container
     * as in {@link #openDevice(PciAddress)}. A failure leaves the space as it was.
     */
    public synchronized VfioDevice openDevice(int groupNumber, String name) {
        return openDevice(groupNumber, name, null);
    }

    /**
     * As {@link #openDevice(int, String)}; with {@code kvm} the group is first associated with the
     * VM, as QEMU's vfio_kvm_device_add_group does with KVM_DEV_VFIO_FILE_ADD before it asks for
     * the device fd (a vendor driver that needs KVM at open, A-18, sees it then).
     */
    public synchronized VfioDevice openDevice(int groupNumber, String name, Object kvm) {
        if (closed) {
            throw new IllegalStateException("vfio space closed");
        }
        VfioGroup group = groups.get(groupNumber);
        boolean newGroup = group == null;
        if (newGroup) {
            group = VfioGroup.open(platform, groupNumber);
            try {
                group.setContainer(container);
                if (groups.isEmpty()) {
                    container.setIommu(VfioUapi.VFIO_TYPE1v2_IOMMU);
                }
            } catch (RuntimeException e) {
                if (group.container() != null) {
                    group.unsetContainer();
                }
                group.close();
                throw e;
            }
            groups.put(groupNumber, group);
            if (listener == null) {
                listener = new VfioType1Listener(container);
                memory.addListener(listener);
            }
        }
        try {
            if (kvm != null && group.kvm() == null) {
                group.setKvm(kvm);
            }
            return group.getDeviceFd(name);
        } catch (RuntimeException e) {
            if (newGroup) {
                releaseGroup(groupNumber);
            }
            throw e;
        }
    }

    private void releaseGroup(int number) {
        VfioGroup g = groups.remove(number);
        if (groups.isEmpty() && listener != null) {
            memory.removeListener(listener);
            listener = null;
        }
        g.unsetContainer();
        g.close();
    }

    @Override
    public VfioContainer container() {
        return container;
    }

    /** The listener keeping the IOMMU in step with guest RAM, or null before the first device. */
    public synchronized VfioType1Listener listener() {
        return listener;
    }

    @Override
    public HostPciPlatform platform() {
        return platform;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            throw new IllegalStateException("vfio space closed twice");
        }
        closed = true;
        for (Integer n : groups.keySet().toArray(Integer[]::new)) {
            releaseGroup(n);
        }
        container.close();
    }
}
