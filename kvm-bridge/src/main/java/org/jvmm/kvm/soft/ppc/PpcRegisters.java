package org.jvmm.kvm.soft.ppc;

import java.util.Objects;

/**
 * A snapshot of the registers a VMM reads and writes between runs, shaped like KVM's
 * {@code struct kvm_regs} for PPC (arch/powerpc/include/uapi/asm/kvm.h): pc, cr, ctr, lr, xer, msr,
 * srr0, srr1, the SPRGs and the 32 GPRs. {@link PpcCpu#registers()} takes one,
 * {@link PpcCpu#setRegisters} applies one (KVM_GET_REGS / KVM_SET_REGS for a soft vCPU).
 */
public record PpcRegisters(long pc, int cr, long ctr, long lr, long xer, long msr, long srr0, long srr1,
                           long[] sprg, long[] gpr) {

    public PpcRegisters {
        Objects.requireNonNull(sprg, "sprg");
        Objects.requireNonNull(gpr, "gpr");
        if (sprg.length != 4 || gpr.length != 32) {
            throw new IllegalArgumentException("PpcRegisters: " + sprg.length + " SPRGs and " + gpr.length
                    + " GPRs given, 4 and 32 needed");
        }
        if ((pc & 3) != 0) {
            throw new IllegalArgumentException("PpcRegisters: pc 0x" + Long.toHexString(pc) + " is not word aligned");
        }
        sprg = sprg.clone();
        gpr = gpr.clone();
    }

    @Override
    public long[] sprg() {
        return sprg.clone();
    }

    @Override
    public long[] gpr() {
        return gpr.clone();
    }

    public long gpr(int n) {
        return gpr[Objects.checkIndex(n, 32)];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PpcRegisters r && pc == r.pc && cr == r.cr && ctr == r.ctr && lr == r.lr && xer == r.xer
                && msr == r.msr && srr0 == r.srr0 && srr1 == r.srr1 && java.util.Arrays.equals(sprg, r.sprg)
                && java.util.Arrays.equals(gpr, r.gpr);
    }

    @Override
    public int hashCode() {
        return Objects.hash(pc, cr, ctr, lr, xer, msr, java.util.Arrays.hashCode(gpr));
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("PpcRegisters[pc=0x").append(Long.toHexString(pc))
                .append(" msr=0x").append(Long.toHexString(msr)).append(" cr=0x").append(Integer.toHexString(cr))
                .append(" lr=0x").append(Long.toHexString(lr)).append(" ctr=0x").append(Long.toHexString(ctr))
                .append(" xer=0x").append(Long.toHexString(xer));
        for (int i = 0; i < 32; i++) {
            b.append(" r").append(i).append("=0x").append(Long.toHexString(gpr[i]));
        }
        return b.append(']').toString();
    }
}
