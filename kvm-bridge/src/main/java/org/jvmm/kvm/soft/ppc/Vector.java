package org.jvmm.kvm.soft.ppc;

/** Interrupt vector offsets (Power ISA v3.0 Book III, 7.5) and program-interrupt SRR1 bits. */
public final class Vector {
    private Vector() {
    }

    public static final long ALIGNMENT = 0x600;
    public static final long EXTERNAL = 0x500;
    public static final long PROGRAM = 0x700;
    public static final long FP_UNAVAILABLE = 0x800;
    public static final long DECREMENTER = 0x900;
    public static final long SYSTEM_CALL = 0xC00;

    /** SRR1 bit 43: floating-point enabled exception. */
    public static final long SRR1_FP = 1L << 20;
    /** SRR1 bit 44: illegal instruction. */
    public static final long SRR1_ILLEGAL = 1L << 19;
    /** SRR1 bit 45: privileged instruction. */
    public static final long SRR1_PRIVILEGED = 1L << 18;
    /** SRR1 bit 46: trap. */
    public static final long SRR1_TRAP = 1L << 17;

    /** SRR1 bits 33:36 and 42:47 are interrupt-specific and not copied from the MSR. */
    static final long SRR1_SPECIFIC = 0x783F0000L;
}
