package org.jvmm.kvm.linux;

/**
 * Sizes and field offsets of the uapi structs the Linux backend fills (x86-64 layout, from
 * include/uapi/linux/kvm.h and arch/x86/include/uapi/asm/kvm.h). Pinned by tests.
 */
public final class KvmStructs {
    private KvmStructs() {
    }

    /** struct kvm_run (the vCPU's shared run area; the mapping itself is KVM_GET_VCPU_MMAP_SIZE bytes). */
    public static final class Run {
        private Run() {
        }

        public static final long SIZE = 0x930;
        public static final long REQUEST_INTERRUPT_WINDOW = 0;
        public static final long IMMEDIATE_EXIT = 1;
        public static final long EXIT_REASON = 8;
        public static final long READY_FOR_INTERRUPT_INJECTION = 12;
        public static final long IF_FLAG = 13;
        public static final long FLAGS = 14;
        public static final long CR8 = 16;
        public static final long APIC_BASE = 24;
        /** The exit union. */
        public static final long EXIT = 32;
        // io
        public static final long IO_DIRECTION = EXIT;
        public static final long IO_SIZE = EXIT + 1;
        public static final long IO_PORT = EXIT + 2;
        public static final long IO_COUNT = EXIT + 4;
        public static final long IO_DATA_OFFSET = EXIT + 8;
        // mmio
        public static final long MMIO_PHYS_ADDR = EXIT;
        public static final long MMIO_DATA = EXIT + 8;
        public static final long MMIO_LEN = EXIT + 16;
        public static final long MMIO_IS_WRITE = EXIT + 20;
        // fail_entry
        public static final long FAIL_ENTRY_REASON = EXIT;
        public static final long FAIL_ENTRY_CPU = EXIT + 8;
        // internal
        public static final long INTERNAL_SUBERROR = EXIT;
        public static final long INTERNAL_NDATA = EXIT + 4;
        public static final long INTERNAL_DATA = EXIT + 8;
        // system_event
        public static final long SYSTEM_EVENT_TYPE = EXIT;
        public static final long SYSTEM_EVENT_NDATA = EXIT + 4;
        public static final long SYSTEM_EVENT_DATA = EXIT + 8;
        /** Most u64 values the internal and system_event arrays hold. */
        public static final int MAX_DATA = 16;
        public static final long KVM_VALID_REGS = 0x120;
    }

    /** struct kvm_userspace_memory_region. */
    public static final class MemoryRegion {
        private MemoryRegion() {
        }

        public static final long SIZE = 32;
        public static final long SLOT = 0;
        public static final long FLAGS = 4;
        public static final long GUEST_PHYS_ADDR = 8;
        public static final long MEMORY_SIZE = 16;
        public static final long USERSPACE_ADDR = 24;
    }

    /** struct kvm_regs: 18 u64 in order rax..r15, rip, rflags. */
    public static final long REGS_SIZE = 144;

    /** struct kvm_segment. */
    public static final class SegmentLayout {
        private SegmentLayout() {
        }

        public static final long SIZE = 24;
        public static final long BASE = 0;
        public static final long LIMIT = 8;
        public static final long SELECTOR = 12;
        public static final long TYPE = 14;
        public static final long PRESENT = 15;
        public static final long DPL = 16;
        public static final long DB = 17;
        public static final long S = 18;
        public static final long L = 19;
        public static final long G = 20;
        public static final long AVL = 21;
        public static final long UNUSABLE = 22;
    }

    /** struct kvm_sregs: cs ds es fs gs ss tr ldt, gdt idt, cr0 cr2 cr3 cr4 cr8 efer apic_base, interrupt_bitmap[4]. */
    public static final class SregsLayout {
        private SregsLayout() {
        }

        public static final long SIZE = 312;
        public static final long SEGMENTS = 0;
        public static final long GDT = 192;
        public static final long IDT = 208;
        public static final long CR0 = 224;
        public static final long CR2 = 232;
        public static final long CR3 = 240;
        public static final long CR4 = 248;
        public static final long CR8 = 256;
        public static final long EFER = 264;
        public static final long APIC_BASE = 272;
        public static final long INTERRUPT_BITMAP = 280;
        /** struct kvm_dtable: u64 base, u16 limit, u16 padding[3]. */
        public static final long DTABLE_SIZE = 16;
    }

    /** struct kvm_cpuid2 header and struct kvm_cpuid_entry2. */
    public static final class Cpuid {
        private Cpuid() {
        }

        public static final long HEADER_SIZE = 8;
        public static final long ENTRY_SIZE = 40;
    }

    /** struct kvm_irq_level: irq, level. */
    public static final long IRQ_LEVEL_SIZE = 8;

    /** struct kvm_irq_routing header (nr, flags) and struct kvm_irq_routing_entry (gsi, type, flags, pad, union). */
    public static final class Routing {
        private Routing() {
        }

        public static final long HEADER_SIZE = 8;
        public static final long ENTRY_SIZE = 48;
        public static final long ENTRY_GSI = 0;
        public static final long ENTRY_TYPE = 4;
        public static final long ENTRY_FLAGS = 8;
        public static final long ENTRY_U = 16;
    }

    /** struct kvm_irqfd: fd, gsi, flags, resamplefd, pad[16]. */
    public static final long IRQFD_SIZE = 32;
    /** struct kvm_ioeventfd: datamatch u64, addr u64, len u32, fd s32, flags u32, pad[36]. */
    public static final long IOEVENTFD_SIZE = 64;
    /** struct kvm_pit_config: flags u32, pad[15]. */
    public static final long PIT_CONFIG_SIZE = 64;
    /** struct kvm_msi: address_lo, address_hi, data, flags, devid, pad[12]. */
    public static final long MSI_SIZE = 32;
    /** struct kvm_create_device: type, fd, flags. */
    public static final long CREATE_DEVICE_SIZE = 12;
    /** struct kvm_device_attr: flags u32, group u32, attr u64, addr u64. */
    public static final long DEVICE_ATTR_SIZE = 24;
}
