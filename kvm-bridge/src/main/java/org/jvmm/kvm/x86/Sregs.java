package org.jvmm.kvm.x86;

/**
 * The special registers of an x86-64 vCPU, as struct kvm_sregs: segments, descriptor tables,
 * control registers, EFER, the APIC base and the pending-interrupt bitmap. A mutable copy, read
 * with {@link X86Vcpu#sregs()} and written back with {@link X86Vcpu#setSregs(Sregs)}: read,
 * change, write, so that state this class does not touch (e.g. the APIC base) is kept.
 * Not thread-safe.
 */
public final class Sregs {
    public Segment cs, ds, es, fs, gs, ss, tr, ldt;
    public DescriptorTable gdt, idt;
    public long cr0, cr2, cr3, cr4, cr8, efer, apicBase;
    /** Pending external interrupts (256 bits), as KVM reports them. */
    public long[] interruptBitmap = new long[4];

    public static final long CR0_PE = 1L << 0;
    public static final long CR0_MP = 1L << 1;
    public static final long CR0_ET = 1L << 4;
    public static final long CR0_NE = 1L << 5;
    public static final long CR0_WP = 1L << 16;
    public static final long CR0_AM = 1L << 18;
    public static final long CR0_PG = 1L << 31;
    public static final long CR4_PAE = 1L << 5;
    public static final long CR4_OSFXSR = 1L << 9;
    public static final long CR4_OSXMMEXCPT = 1L << 10;
    public static final long EFER_SCE = 1L << 0;
    public static final long EFER_LME = 1L << 8;
    public static final long EFER_LMA = 1L << 10;
    public static final long EFER_NXE = 1L << 11;

    @Override
    public String toString() {
        return String.format("Sregs[cr0=0x%x cr3=0x%x cr4=0x%x efer=0x%x apic_base=0x%x cs=%s]", cr0, cr3, cr4, efer,
                apicBase, cs);
    }
}
