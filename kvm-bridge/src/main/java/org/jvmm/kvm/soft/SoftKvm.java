package org.jvmm.kvm.soft;

import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.kvm.Capability;
import org.jvmm.kvm.Kvm;

/**
 * The soft accelerator's /dev/kvm: a KVM for sPAPR guests in this process. It offers user
 * memory, the device control API and immediate exit, and the sPAPR capabilities: TCE tables
 * (SPAPR_TCE, SPAPR_TCE_64), the multi-TCE hypercalls in the kernel (SPAPR_MULTITCE), their link
 * to VFIO (SPAPR_TCE_VFIO) and RTAS calls by hypercall (PPC_RTAS). No in-kernel irqchip, MSI
 * signalling or ioeventfd. Its {@link #files() fd table} is shared by every VM it makes.
 *
 * <p>Thread-safe.
 */
public final class SoftKvm implements Kvm {
    private final SoftFileTable files;
    private boolean closed;

    public SoftKvm(SoftFileTable files) {
        this.files = files;
    }

    public SoftKvm() {
        this(new SoftFileTable());
    }

    /** The process fd table the VMs' devices resolve descriptors in. */
    public SoftFileTable files() {
        return files;
    }

    @Override
    public int apiVersion() {
        return 12;
    }

    @Override
    public int checkExtension(Capability capability) {
        return switch (capability) {
            case USER_MEMORY, DEVICE_CTRL, IMMEDIATE_EXIT, SPAPR_TCE, SPAPR_TCE_64, SPAPR_MULTITCE, SPAPR_TCE_VFIO,
                    PPC_RTAS, IRQFD, IRQFD_RESAMPLE, READONLY_MEM -> 1;
            case NR_MEMSLOTS -> SoftVm.MAX_MEMSLOTS;
            case NR_VCPUS, MAX_VCPUS -> SoftVm.MAX_VCPUS;
            default -> 0;
        };
    }

    @Override
    public SoftVm createVm(HostMemoryRegistry hostMemory) {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("soft KVM handle is closed");
            }
        }
        return new SoftVm(hostMemory, files);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            throw new IllegalStateException("soft KVM closed twice");
        }
        closed = true;
    }
}
