package org.jvmm.kvm;

/**
 * KVM capabilities the project asks about with KVM_CHECK_EXTENSION, with their numbers from
 * include/uapi/linux/kvm.h.
 */
public enum Capability {
    IRQCHIP(0),
    USER_MEMORY(3),
    SET_TSS_ADDR(4),
    EXT_CPUID(7),
    NR_VCPUS(9),
    NR_MEMSLOTS(10),
    MP_STATE(14),
    IRQ_ROUTING(25),
    IRQ_INJECT_STATUS(26),
    IRQFD(32),
    PIT2(33),
    IOEVENTFD(36),
    MAX_VCPUS(66),
    SIGNAL_MSI(77),
    READONLY_MEM(81),
    IRQFD_RESAMPLE(82),
    DEVICE_CTRL(89),
    IOEVENTFD_ANY_LENGTH(122),
    IMMEDIATE_EXIT(136),
    /** KVM_CAP_SPAPR_TCE: KVM_CREATE_SPAPR_TCE (sPAPR guests). */
    SPAPR_TCE(40),
    /** KVM_CAP_PPC_RTAS. */
    PPC_RTAS(91),
    /** KVM_CAP_SPAPR_MULTITCE: H_PUT_TCE_INDIRECT and H_STUFF_TCE in the kernel. */
    SPAPR_MULTITCE(94),
    /** KVM_CAP_SPAPR_TCE_64: KVM_CREATE_SPAPR_TCE_64 (64-bit windows, page shift, offset). */
    SPAPR_TCE_64(125),
    /** KVM_CAP_SPAPR_TCE_VFIO: TCE tables linked to VFIO groups (the in-kernel H_PUT_TCE path). */
    SPAPR_TCE_VFIO(142);

    private final int number;

    Capability(int number) {
        this.number = number;
    }

    /** The KVM_CAP_* number. */
    public int number() {
        return number;
    }

    /** The uapi name, e.g. {@code KVM_CAP_IRQFD}. */
    public String uapiName() {
        return "KVM_CAP_" + name();
    }
}
