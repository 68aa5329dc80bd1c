package org.jvmm.kvm.spapr;

/**
 * PAPR hypercall numbers and return codes (Linux arch/powerpc/include/asm/hvcall.h; QEMU
 * include/hw/ppc/spapr.h). The status goes back in r3, return values in r4 on.
 */
public final class Papr {
    private Papr() {
    }

    // status codes
    public static final long H_SUCCESS = 0;
    public static final long H_BUSY = 1;
    public static final long H_CLOSED = 2;
    public static final long H_HARDWARE = -1;
    public static final long H_FUNCTION = -2;
    public static final long H_PRIVILEGE = -3;
    public static final long H_PARAMETER = -4;
    /** KVM's private code: the kernel cannot do it, the call goes to user space. */
    public static final long H_TOO_HARD = 9999;

    // hypercalls
    public static final long H_GET_TCE = 0x1C;
    public static final long H_PUT_TCE = 0x20;
    public static final long H_CEDE = 0xE0;
    public static final long H_STUFF_TCE = 0x138;
    public static final long H_PUT_TCE_INDIRECT = 0x13C;
    /** KVMPPC_H_RTAS: QEMU's private hypercall carrying an RTAS call (r4 = guest address of the rtas_args). */
    public static final long KVMPPC_H_RTAS = 0xF000;

    /** The most TCEs one H_PUT_TCE_INDIRECT or H_STUFF_TCE carries (the list fits a 4 KiB page). */
    public static final int MAX_TCES_PER_CALL = 512;

    /** TCE permission bits (TCE_PCI_READ, TCE_PCI_WRITE). */
    public static final long TCE_READ = 1;
    public static final long TCE_WRITE = 2;

    /** A readable name for an hcall number, for messages and traces. */
    public static String name(long nr) {
        if (nr == H_GET_TCE) {
            return "H_GET_TCE";
        } else if (nr == H_PUT_TCE) {
            return "H_PUT_TCE";
        } else if (nr == H_CEDE) {
            return "H_CEDE";
        } else if (nr == H_STUFF_TCE) {
            return "H_STUFF_TCE";
        } else if (nr == H_PUT_TCE_INDIRECT) {
            return "H_PUT_TCE_INDIRECT";
        } else if (nr == KVMPPC_H_RTAS) {
            return "KVMPPC_H_RTAS";
        }
        return "hcall 0x" + Long.toHexString(nr);
    }
}
