package org.jvmm.papr;

/**
 * Hypercall numbers and status codes of the pseries machine's console, mode, interrupt and
 * firmware calls (QEMU 7.2 include/hw/ppc/spapr.h; the TCE calls and H_RTAS live in
 * {@link org.jvmm.kvm.spapr.Papr}, which the accelerator shares).
 */
public final class PaprNumbers {
    private PaprNumbers() {
    }

    public static final long H_LOGICAL_CI_LOAD = 0x3C;
    public static final long H_LOGICAL_CI_STORE = 0x40;
    public static final long H_GET_TERM_CHAR = 0x54;
    public static final long H_PUT_TERM_CHAR = 0x58;
    public static final long H_EOI = 0x64;
    public static final long H_CPPR = 0x68;
    public static final long H_IPI = 0x6C;
    public static final long H_IPOLL = 0x70;
    public static final long H_XIRR = 0x74;
    public static final long H_REGISTER_VPA = 0xDC;
    public static final long H_SET_MODE = 0x31C;
    /** KVMPPC_H_VOF_CLIENT: the Open Firmware client interface served by the VMM (QEMU hw/ppc/vof.c). */
    public static final long KVMPPC_H_VOF_CLIENT = 0xF005;

    public static final long H_P2 = -55;
    public static final long H_P3 = -56;
    public static final long H_P4 = -57;
    public static final long H_UNSUPPORTED_FLAG = -256;

    /** H_SET_MODE resource 4: interrupt endianness. */
    public static final long H_SET_MODE_RESOURCE_LE = 4;
    public static final long H_SET_MODE_ENDIAN_BIG = 0;
    public static final long H_SET_MODE_ENDIAN_LITTLE = 1;
}
