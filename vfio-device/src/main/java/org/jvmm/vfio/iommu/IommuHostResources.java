package org.jvmm.vfio.iommu;

import java.util.Objects;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.memory.LockedMemoryAccount;
import org.jvmm.pci.host.IommuHardware;

/**
 * What a VFIO IOMMU driver needs from the host to open a backend, and nothing more: the IOMMU
 * hardware it programs, the process memory a MAP_DMA vaddr is looked up in, and the locked-memory
 * account pinning charges. The VFIO core hands it to {@link IommuDriver#open}.
 */
public record IommuHostResources(IommuHardware hardware, HostMemoryRegistry memory, LockedMemoryAccount memlock) {
    public IommuHostResources {
        Objects.requireNonNull(hardware, "hardware");
        Objects.requireNonNull(memory, "memory");
        Objects.requireNonNull(memlock, "memlock");
    }
}
