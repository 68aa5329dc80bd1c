package org.jvmm.pci.host.spapr;

import java.util.IdentityHashMap;
import java.util.Map;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.pci.host.IommuGroup;

/**
 * A sPAPR host PCI bridge (PowerNV PHB in Linux terms): each IOMMU group of the host platform is
 * one of its partitionable endpoints, made on first use with the platform's default 32-bit window.
 * It also holds the VMM process's {@link PreregisteredMemory} (Linux keeps that list per mm; this
 * model hosts one VMM process) and answers the EEH operations on a PE
 * (arch/powerpc/kernel/eeh.c eeh_pe_set_option / get_state / reset / configure / inject_err).
 *
 * <p>Thread-safe: the PE map under this object's monitor; each PE guards its own state.
 */
public final class PnvPhb {
    /** EEH error types of VFIO_EEH_PE_INJECT_ERR (EEH_ERR_TYPE_32 / _64). */
    public static final int EEH_ERR_TYPE_32 = 0;
    public static final int EEH_ERR_TYPE_64 = 1;
    /** The highest EEH error function (EEH_ERR_FUNC_MAX, DMA write target). */
    public static final int EEH_ERR_FUNC_MAX = 19;

    private final PnvPhbConfig config;
    private final HostMemoryRegistry memory;
    private final PreregisteredMemory preregistered = new PreregisteredMemory();
    private final Map<IommuGroup, PartitionableEndpoint> pes = new IdentityHashMap<>();

    public PnvPhb(PnvPhbConfig config, HostMemoryRegistry memory) {
        this.config = config;
        this.memory = memory;
    }

    public PnvPhbConfig config() {
        return config;
    }

    public HostMemoryRegistry memory() {
        return memory;
    }

    public PreregisteredMemory preregistered() {
        return preregistered;
    }

    /** The PE that is IOMMU group {@code group} (made on first use, owned by the platform). */
    public synchronized PartitionableEndpoint pe(IommuGroup group) {
        return pes.computeIfAbsent(group, g -> new PartitionableEndpoint(this, g, memory));
    }

    /**
     * One EEH operation on {@code pe}, as VFIO_EEH_PE_OP hands it down after checking argsz and
     * flags: returns the ioctl's result (the PE state for GET_STATE, else 0).
     *
     * @throws ErrnoException EINVAL for an unknown op or a bad injection; ENODEV without EEH
     */
    public int eehOp(String op, PartitionableEndpoint pe, int eehOp, int errType, int errFunc) {
        if (!config.eeh()) {
            throw new ErrnoException(op, Errno.ENODEV, "EEH is not available on this PHB");
        }
        switch (eehOp) {
            case 0 -> pe.setEehEnabled(false); // VFIO_EEH_PE_DISABLE
            case 1 -> pe.setEehEnabled(true); // VFIO_EEH_PE_ENABLE
            case 2 -> pe.thawMmio(); // VFIO_EEH_PE_UNFREEZE_IO
            case 3 -> pe.thawDma(); // VFIO_EEH_PE_UNFREEZE_DMA
            case 4 -> {
                return pe.eehState().vfioState(); // VFIO_EEH_PE_GET_STATE
            }
            case 5 -> pe.deactivateReset(); // VFIO_EEH_PE_RESET_DEACTIVATE
            case 6, 7 -> pe.assertReset(); // VFIO_EEH_PE_RESET_HOT, _FUNDAMENTAL
            case 8 -> {
                // VFIO_EEH_PE_CONFIGURE: bridges above the PE reconfigured; nothing to redo here
                if (pe.eehState().resetActive()) {
                    throw new ErrnoException(op, Errno.EBUSY, "PE " + pe.number() + ": configure while reset is held");
                }
            }
            case 9 -> { // VFIO_EEH_PE_INJECT_ERR
                if (errType != EEH_ERR_TYPE_32 && errType != EEH_ERR_TYPE_64) {
                    throw new ErrnoException(op, Errno.EINVAL, "inject error type " + errType + " is not 32 (0) or 64 (1)");
                }
                if (errFunc < 0 || errFunc > EEH_ERR_FUNC_MAX) {
                    throw new ErrnoException(op, Errno.EINVAL, "inject error function " + errFunc + " is outside 0.."
                            + EEH_ERR_FUNC_MAX);
                }
                pe.injectError("type " + errType + ", function " + errFunc);
            }
            default -> throw new ErrnoException(op, Errno.EINVAL, "unknown EEH op " + eehOp);
        }
        return 0;
    }
}
