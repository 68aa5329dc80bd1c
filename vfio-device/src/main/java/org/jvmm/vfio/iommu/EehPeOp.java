package org.jvmm.vfio.iommu;

/**
 * struct vfio_eeh_pe_op (VFIO_EEH_PE_OP) with its error-injection member struct vfio_eeh_pe_err
 * ({@code errType}, {@code errFunc}, {@code errAddr}, {@code errMask}; read only for INJECT_ERR).
 */
public record EehPeOp(int argsz, int flags, int op, int errType, int errFunc, long errAddr, long errMask) {
    /** offsetofend(struct vfio_eeh_pe_op, op). */
    public static final int MIN_SIZE = 12;
    /** offsetofend(struct vfio_eeh_pe_op, err). */
    public static final int ERR_SIZE = 40;

    /** An operation without an error to inject. */
    public static EehPeOp of(int op) {
        return new EehPeOp(MIN_SIZE, 0, op, 0, 0, 0, 0);
    }

    /** VFIO_EEH_PE_INJECT_ERR. */
    public static EehPeOp inject(int type, int func, long addr, long mask) {
        return new EehPeOp(ERR_SIZE, 0, 9, type, func, addr, mask);
    }

    @Override
    public String toString() {
        return "argsz=" + argsz + ", flags=0x" + Integer.toHexString(flags) + ", op=" + op;
    }
}
