package org.jvmm.kvm.x86;

/**
 * The general registers of an x86-64 vCPU, as struct kvm_regs: a mutable copy, read with
 * {@link X86Vcpu#regs()} and written back with {@link X86Vcpu#setRegs(Regs)}. Not thread-safe.
 */
public final class Regs {
    public long rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
    public long r8, r9, r10, r11, r12, r13, r14, r15;
    public long rip, rflags;

    /** The value RFLAGS holds at reset: only the always-one bit 1. */
    public static final long RFLAGS_RESERVED_ONE = 0x2;

    /** The registers in struct kvm_regs order. */
    public long[] toArray() {
        return new long[] {rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp, r8, r9, r10, r11, r12, r13, r14, r15, rip, rflags};
    }

    /** Registers from struct kvm_regs order (18 values). */
    public static Regs fromArray(long[] v) {
        if (v.length != 18) {
            throw new IllegalArgumentException("kvm_regs has 18 registers, given " + v.length);
        }
        Regs r = new Regs();
        r.rax = v[0]; r.rbx = v[1]; r.rcx = v[2]; r.rdx = v[3];
        r.rsi = v[4]; r.rdi = v[5]; r.rsp = v[6]; r.rbp = v[7];
        r.r8 = v[8]; r.r9 = v[9]; r.r10 = v[10]; r.r11 = v[11];
        r.r12 = v[12]; r.r13 = v[13]; r.r14 = v[14]; r.r15 = v[15];
        r.rip = v[16]; r.rflags = v[17];
        return r;
    }

    @Override
    public String toString() {
        return String.format("Regs[rip=0x%x rsp=0x%x rflags=0x%x rax=0x%x rdi=0x%x]", rip, rsp, rflags, rax, rdi);
    }
}
