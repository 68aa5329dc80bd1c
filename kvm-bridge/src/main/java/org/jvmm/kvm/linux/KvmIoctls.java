package org.jvmm.kvm.linux;

/**
 * KVM ioctl request numbers for x86-64, as include/uapi/linux/kvm.h defines them with the
 * _IO/_IOR/_IOW/_IOWR macros of include/uapi/asm-generic/ioctl.h: direction in bits 30-31
 * (write 1, read 2), argument size in bits 16-29, type KVMIO (0xAE) in bits 8-15, number in 0-7.
 * Written out as numbers so a typo cannot hide in a computation; tests recompute each from its
 * definition.
 */
public final class KvmIoctls {
    private KvmIoctls() {
    }

    public static final int KVMIO = 0xAE;

    // System ioctls (/dev/kvm)
    /** _IO(KVMIO, 0x00) */
    public static final long KVM_GET_API_VERSION = 0xAE00L;
    /** _IO(KVMIO, 0x01) */
    public static final long KVM_CREATE_VM = 0xAE01L;
    /** _IO(KVMIO, 0x03) */
    public static final long KVM_CHECK_EXTENSION = 0xAE03L;
    /** _IO(KVMIO, 0x04) */
    public static final long KVM_GET_VCPU_MMAP_SIZE = 0xAE04L;
    /** _IOWR(KVMIO, 0x05, struct kvm_cpuid2) */
    public static final long KVM_GET_SUPPORTED_CPUID = 0xC008AE05L;

    // VM ioctls
    /** _IO(KVMIO, 0x41) */
    public static final long KVM_CREATE_VCPU = 0xAE41L;
    /** _IOW(KVMIO, 0x46, struct kvm_userspace_memory_region) */
    public static final long KVM_SET_USER_MEMORY_REGION = 0x4020AE46L;
    /** _IO(KVMIO, 0x47) */
    public static final long KVM_SET_TSS_ADDR = 0xAE47L;
    /** _IOW(KVMIO, 0x48, __u64) */
    public static final long KVM_SET_IDENTITY_MAP_ADDR = 0x4008AE48L;
    /** _IO(KVMIO, 0x60) */
    public static final long KVM_CREATE_IRQCHIP = 0xAE60L;
    /** _IOW(KVMIO, 0x61, struct kvm_irq_level) */
    public static final long KVM_IRQ_LINE = 0x4008AE61L;
    /** _IOW(KVMIO, 0x6a, struct kvm_irq_routing) */
    public static final long KVM_SET_GSI_ROUTING = 0x4008AE6AL;
    /** _IOW(KVMIO, 0x76, struct kvm_irqfd) */
    public static final long KVM_IRQFD = 0x4020AE76L;
    /** _IOW(KVMIO, 0x77, struct kvm_pit_config) */
    public static final long KVM_CREATE_PIT2 = 0x4040AE77L;
    /** kvm_pit_config.flags */
    public static final int KVM_PIT_SPEAKER_DUMMY = 1;
    /** _IOW(KVMIO, 0x79, struct kvm_ioeventfd) */
    public static final long KVM_IOEVENTFD = 0x4040AE79L;
    /** _IOW(KVMIO, 0xa5, struct kvm_msi) */
    public static final long KVM_SIGNAL_MSI = 0x4020AEA5L;
    /** _IOWR(KVMIO, 0xe0, struct kvm_create_device) */
    public static final long KVM_CREATE_DEVICE = 0xC00CAEE0L;

    // Device ioctls (also VM and vCPU ioctls for some attributes)
    /** _IOW(KVMIO, 0xe1, struct kvm_device_attr) */
    public static final long KVM_SET_DEVICE_ATTR = 0x4018AEE1L;
    /** _IOW(KVMIO, 0xe2, struct kvm_device_attr) */
    public static final long KVM_GET_DEVICE_ATTR = 0x4018AEE2L;
    /** _IOW(KVMIO, 0xe3, struct kvm_device_attr) */
    public static final long KVM_HAS_DEVICE_ATTR = 0x4018AEE3L;

    // vCPU ioctls
    /** _IO(KVMIO, 0x80) */
    public static final long KVM_RUN = 0xAE80L;
    /** _IOR(KVMIO, 0x81, struct kvm_regs) */
    public static final long KVM_GET_REGS = 0x8090AE81L;
    /** _IOW(KVMIO, 0x82, struct kvm_regs) */
    public static final long KVM_SET_REGS = 0x4090AE82L;
    /** _IOR(KVMIO, 0x83, struct kvm_sregs) */
    public static final long KVM_GET_SREGS = 0x8138AE83L;
    /** _IOW(KVMIO, 0x84, struct kvm_sregs) */
    public static final long KVM_SET_SREGS = 0x4138AE84L;
    /** _IOW(KVMIO, 0x90, struct kvm_cpuid2) */
    public static final long KVM_SET_CPUID2 = 0x4008AE90L;

    // Flags
    /** kvm_create_device.flags: only test whether the device type could be created. */
    public static final int KVM_CREATE_DEVICE_TEST = 1;
    /** kvm_irqfd.flags */
    public static final int KVM_IRQFD_FLAG_DEASSIGN = 1;
    public static final int KVM_IRQFD_FLAG_RESAMPLE = 2;
    /** kvm_ioeventfd.flags */
    public static final int KVM_IOEVENTFD_FLAG_DATAMATCH = 1;
    public static final int KVM_IOEVENTFD_FLAG_PIO = 2;
    public static final int KVM_IOEVENTFD_FLAG_DEASSIGN = 4;
    /** kvm_irq_routing_entry.type */
    public static final int KVM_IRQ_ROUTING_IRQCHIP = 1;
    public static final int KVM_IRQ_ROUTING_MSI = 2;

    /** KVM_GET_API_VERSION's answer on every kernel since 2.6.22. */
    public static final int KVM_API_VERSION = 12;

    // Exit reasons (kvm_run.exit_reason)
    public static final int KVM_EXIT_UNKNOWN = 0;
    public static final int KVM_EXIT_EXCEPTION = 1;
    public static final int KVM_EXIT_IO = 2;
    public static final int KVM_EXIT_HYPERCALL = 3;
    public static final int KVM_EXIT_DEBUG = 4;
    public static final int KVM_EXIT_HLT = 5;
    public static final int KVM_EXIT_MMIO = 6;
    public static final int KVM_EXIT_IRQ_WINDOW_OPEN = 7;
    public static final int KVM_EXIT_SHUTDOWN = 8;
    public static final int KVM_EXIT_FAIL_ENTRY = 9;
    public static final int KVM_EXIT_INTR = 10;
    public static final int KVM_EXIT_INTERNAL_ERROR = 17;
    public static final int KVM_EXIT_SYSTEM_EVENT = 24;
    /** kvm_run.io.direction */
    public static final int KVM_EXIT_IO_IN = 0;
    public static final int KVM_EXIT_IO_OUT = 1;
}
