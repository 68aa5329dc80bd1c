package org.jvmm.testing;

import static org.jvmm.vfio.uapi.VfioUapi.VFIO_TYPE1v2_IOMMU;

import java.time.Duration;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.memory.LockedMemoryAccount;
import org.jvmm.vfio.Vfio;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioDevice;
import org.jvmm.vfio.VfioGroup;
import org.jvmm.vfio.mdev.MdevBus;

/**
 * The {@link Hosts#seed} host (PCI groups numbered from 10) with the mdev module loaded on its
 * VFIO core; removals ask the vendor's request callback every 20 ms instead of 10 s.
 * {@link #open} puts an mdev's group into a new container with a TYPE1 IOMMU and opens its
 * device: the VMM's sequence for {@code sysfsdev=/sys/bus/mdev/devices/UUID}.
 */
public final class MdevRig {
    public final HostMemoryRegistry memory = new HostMemoryRegistry();
    public final LockedMemoryAccount memlock;
    public final Hosts.Seed seed;
    public final Vfio vfio;
    public final MdevBus bus;

    public MdevRig() {
        this(64L << 20);
    }

    public MdevRig(long memlockLimit) {
        memlock = new LockedMemoryAccount(memlockLimit, false);
        seed = Hosts.seed(memory, memlock);
        vfio = Vfio.of(seed.platform());
        bus = MdevBus.load(vfio);
        bus.setRequestInterval(Duration.ofMillis(20));
    }

    /** An mdev opened through its group in a fresh TYPE1 container; close it with {@link Opened#close}. */
    public Opened open(String uuid) {
        return open(uuid, VFIO_TYPE1v2_IOMMU);
    }

    public Opened open(String uuid, long iommuType) {
        int n = Integer.parseInt(bus.readlink("/sys/bus/mdev/devices/" + uuid + "/iommu_group")
                .substring("/sys/kernel/iommu_groups/".length()));
        VfioContainer c = VfioContainer.open(vfio);
        VfioGroup g = VfioGroup.open(vfio, n);
        g.setContainer(c);
        c.setIommu(iommuType);
        return new Opened(c, g, g.getDeviceFd(uuid));
    }

    /** A container, the mdev's group in it and the device fd. */
    public record Opened(VfioContainer container, VfioGroup group, VfioDevice device) implements AutoCloseable {
        @Override
        public void close() {
            if (!device.isClosed()) {
                device.close();
            }
            group.close();
            container.close();
        }
    }
}
