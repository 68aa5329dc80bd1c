package org.jvmm.testing;

import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioGroup;
import org.jvmm.host.memory.LockedMemoryAccount;
import org.jvmm.vfio.iommu.Type1Iommu;

/**
 * The edu of {@link Hosts#seed} bound to vfio-pci, its group in a container with a TYPE1 IOMMU of
 * the given type, and {@code ramSize} bytes of process memory to map. Closing tears everything
 * down in order (group, container, memory).
 */
public final class Type1Rig implements AutoCloseable {
    public final HostMemoryRegistry memory = new HostMemoryRegistry();
    public final LockedMemoryAccount memlock;
    public final Hosts.Seed seed;
    public final VfioContainer container;
    public final VfioGroup group;
    public final HostMapping ram;

    private Type1Rig(long type, long ramSize, long memlockLimit) {
        memlock = new LockedMemoryAccount(memlockLimit, false);
        seed = Hosts.seed(memory, memlock);
        seed.platform().unbind(Hosts.EDU);
        seed.platform().newId("vfio-pci", 0x1234, 0x11e8);
        container = VfioContainer.open(seed.platform());
        group = VfioGroup.open(seed.platform(), seed.platform().iommuGroupOf(Hosts.EDU));
        group.setContainer(container);
        container.setIommu(type);
        ram = memory.allocate("ram", ramSize);
    }

    public static Type1Rig open(long type) {
        return new Type1Rig(type, 1 << 20, 64L << 20);
    }

    public static Type1Rig open(long type, long ramSize, long memlockLimit) {
        return new Type1Rig(type, ramSize, memlockLimit);
    }

    public Type1Iommu iommu() {
        return (Type1Iommu) container.backend();
    }

    @Override
    public void close() {
        group.close();
        container.close();
        ram.close();
    }
}
