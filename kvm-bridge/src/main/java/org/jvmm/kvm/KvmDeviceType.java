package org.jvmm.kvm;

/** KVM device types (enum kvm_device_type in include/uapi/linux/kvm.h). */
public enum KvmDeviceType {
    FSL_MPIC_20(1),
    FSL_MPIC_42(2),
    XICS(3),
    VFIO(4),
    ARM_VGIC_V2(5),
    FLIC(6),
    ARM_VGIC_V3(7),
    ARM_VGIC_ITS(8),
    XIVE(9),
    ARM_PV_TIME(10),
    RISCV_AIA(11);

    private final int number;

    KvmDeviceType(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }

    /** The uapi name, e.g. {@code KVM_DEV_TYPE_VFIO}. */
    public String uapiName() {
        return "KVM_DEV_TYPE_" + name();
    }
}
