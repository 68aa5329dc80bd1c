package org.jvmm.kvm.spapr;

import org.jvmm.kvm.Vm;
import org.jvmm.vfio.VfioGroup;

/**
 * A VM on a POWER host running a PAPR guest (as {@link org.jvmm.kvm.x86.X86Vm} is for x86): the
 * in-kernel TCE tables that let H_PUT_TCE stay in the accelerator, and the file side of the
 * KVM-VFIO link (a VFIO group the VMM holds becomes an fd the VM's KVM-VFIO device resolves).
 * A backend that offers sPAPR acceleration implements it; device models use only this view.
 * Thread rules as {@link Vm}.
 */
public interface SpaprVm extends Vm {

    /**
     * KVM_CREATE_SPAPR_TCE_64: EINVAL for a size of 0, a page shift outside 12..34 or a window
     * that overflows the bus; EBUSY when the LIOBN has a table. The caller owns the table.
     */
    KvmSpaprTceTable createSpaprTce64(SpaprTceCreate64 args);

    /** The VMM's fd for the open group file {@code group}, which KVM_DEV_VFIO_FILE_ADD takes. */
    int installVfioGroupFd(VfioGroup group);

    /** Closes an fd {@link #installVfioGroupFd} gave; closing one that is not open is a VMM bug (IllegalStateException). */
    void closeVfioGroupFd(int fd);

    /** The in-kernel XICS once KVM_CREATE_DEVICE(KVM_DEV_TYPE_XICS) made it, else null. */
    default SpaprXics xics() {
        return null;
    }
}
