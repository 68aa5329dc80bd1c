package org.jvmm.testing;

import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.sys.EventFd;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.PciIdentity;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioDevice;
import org.jvmm.vfio.VfioGroup;
import org.jvmm.host.memory.LockedMemoryAccount;

/**
 * One function of {@link Hosts#seed} bound to vfio-pci and opened through a TYPE1v2 container,
 * with little helpers for region access at {@code index << 40} and eventfds that are closed with
 * the rig.
 */
public final class DeviceRig implements AutoCloseable {
    public final HostMemoryRegistry memory = new HostMemoryRegistry();
    public final LockedMemoryAccount memlock = new LockedMemoryAccount(64L << 20, false);
    public final Hosts.Seed seed;
    public final VfioContainer container;
    public final VfioGroup group;
    public final VfioDevice device;
    private final List<EventFd> eventfds = new ArrayList<>();
    private final Arena arena = Arena.ofConfined();

    public DeviceRig(PciAddress address) {
        seed = Hosts.seed(memory, memlock);
        var p = seed.platform();
        PciIdentity id = p.function("test", address).identity();
        for (var f : p.function("test", address).iommuGroup().functions()) {
            if (f.driverName() != null) {
                p.unbind(f.address()); // siblings are left without a driver, which keeps the group viable
            }
        }
        p.newId("vfio-pci", id.vendorId(), id.deviceId());
        container = VfioContainer.open(p);
        group = VfioGroup.open(p, p.iommuGroupOf(address));
        group.setContainer(container);
        container.setIommu(VFIO_TYPE1v2_IOMMU);
        device = group.getDeviceFd(address.toString());
    }

    public EventFd eventfd() {
        EventFd e = EventFd.create();
        eventfds.add(e);
        return e;
    }

    public static long offset(int region, long at) {
        return (long) region << VFIO_PCI_OFFSET_SHIFT | at;
    }

    public long read(int region, long at, int size) {
        MemorySegment buf = arena.allocate(size);
        device.read(offset(region, at), buf);
        long v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = v << 8 | (buf.get(ValueLayout.JAVA_BYTE, i) & 0xff);
        }
        return v;
    }

    public void write(int region, long at, int size, long value) {
        MemorySegment buf = arena.allocate(size);
        for (int i = 0; i < size; i++) {
            buf.set(ValueLayout.JAVA_BYTE, i, (byte) (value >>> (8 * i)));
        }
        device.write(offset(region, at), buf);
    }

    public int config(int at, int size) {
        return (int) read(VFIO_PCI_CONFIG_REGION_INDEX, at, size);
    }

    public void setConfig(int at, int size, int value) {
        write(VFIO_PCI_CONFIG_REGION_INDEX, at, size, value);
    }

    @Override
    public void close() {
        if (!device.isClosed()) {
            device.close();
        }
        group.close();
        container.close();
        for (EventFd e : eventfds) {
            e.close();
        }
        arena.close();
    }
}
