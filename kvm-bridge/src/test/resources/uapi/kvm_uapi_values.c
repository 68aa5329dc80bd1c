/*
 * Prints the KVM ioctl numbers, exit reasons, flags and struct sizes the installed uapi headers
 * define, one "NAME value" per line, for KvmConstantsMatchInstalledHeaders to compare with
 * org.jvmm.kvm.linux.KvmIoctls and KvmStructs.
 */
#include <stddef.h>
#include <stdio.h>
#include <linux/kvm.h>

#define P(x) printf("%s %lu\n", #x, (unsigned long) (x))
#define S(name, x) printf("%s %lu\n", name, (unsigned long) (x))

int main(void) {
    P(KVM_GET_API_VERSION); P(KVM_CREATE_VM); P(KVM_CHECK_EXTENSION); P(KVM_GET_VCPU_MMAP_SIZE);
    P(KVM_GET_SUPPORTED_CPUID); P(KVM_CREATE_VCPU); P(KVM_SET_USER_MEMORY_REGION); P(KVM_SET_TSS_ADDR);
    P(KVM_SET_IDENTITY_MAP_ADDR); P(KVM_CREATE_IRQCHIP); P(KVM_IRQ_LINE); P(KVM_SET_GSI_ROUTING);
    P(KVM_IRQFD); P(KVM_IOEVENTFD); P(KVM_SIGNAL_MSI); P(KVM_CREATE_DEVICE); P(KVM_SET_DEVICE_ATTR);
    P(KVM_GET_DEVICE_ATTR); P(KVM_HAS_DEVICE_ATTR); P(KVM_RUN); P(KVM_GET_REGS); P(KVM_SET_REGS);
    P(KVM_GET_SREGS); P(KVM_SET_SREGS); P(KVM_SET_CPUID2);
    P(KVM_CREATE_PIT2); P(KVM_PIT_SPEAKER_DUMMY); S("PIT_CONFIG_SIZE", sizeof(struct kvm_pit_config));
    P(KVM_CREATE_DEVICE_TEST); P(KVM_IRQFD_FLAG_DEASSIGN); P(KVM_IRQFD_FLAG_RESAMPLE);
    S("KVM_IOEVENTFD_FLAG_DATAMATCH", 1 << kvm_ioeventfd_flag_nr_datamatch);
    S("KVM_IOEVENTFD_FLAG_PIO", 1 << kvm_ioeventfd_flag_nr_pio);
    S("KVM_IOEVENTFD_FLAG_DEASSIGN", 1 << kvm_ioeventfd_flag_nr_deassign);
    P(KVM_IRQ_ROUTING_IRQCHIP); P(KVM_IRQ_ROUTING_MSI); P(KVM_API_VERSION);
    P(KVM_EXIT_UNKNOWN); P(KVM_EXIT_EXCEPTION); P(KVM_EXIT_IO); P(KVM_EXIT_HYPERCALL); P(KVM_EXIT_DEBUG);
    P(KVM_EXIT_HLT); P(KVM_EXIT_MMIO); P(KVM_EXIT_IRQ_WINDOW_OPEN); P(KVM_EXIT_SHUTDOWN);
    P(KVM_EXIT_FAIL_ENTRY); P(KVM_EXIT_INTR); P(KVM_EXIT_INTERNAL_ERROR); P(KVM_EXIT_SYSTEM_EVENT);
    P(KVM_EXIT_IO_IN); P(KVM_EXIT_IO_OUT);
    S("Run.SIZE", sizeof(struct kvm_run));
    S("Run.IMMEDIATE_EXIT", 1);
    S("Run.EXIT_REASON", offsetof(struct kvm_run, exit_reason));
    S("Run.IO_PORT", offsetof(struct kvm_run, io.port));
    S("Run.IO_COUNT", offsetof(struct kvm_run, io.count));
    S("Run.IO_DATA_OFFSET", offsetof(struct kvm_run, io.data_offset));
    S("Run.MMIO_PHYS_ADDR", offsetof(struct kvm_run, mmio.phys_addr));
    S("Run.MMIO_DATA", offsetof(struct kvm_run, mmio.data));
    S("Run.MMIO_LEN", offsetof(struct kvm_run, mmio.len));
    S("Run.MMIO_IS_WRITE", offsetof(struct kvm_run, mmio.is_write));
    S("Run.FAIL_ENTRY_CPU", offsetof(struct kvm_run, fail_entry.cpu));
    S("Run.INTERNAL_NDATA", offsetof(struct kvm_run, internal.ndata));
    S("Run.INTERNAL_DATA", offsetof(struct kvm_run, internal.data));
    S("Run.SYSTEM_EVENT_TYPE", offsetof(struct kvm_run, system_event.type));
    S("Run.KVM_VALID_REGS", offsetof(struct kvm_run, kvm_valid_regs));
    S("REGS_SIZE", sizeof(struct kvm_regs));
    S("SregsLayout.SIZE", sizeof(struct kvm_sregs));
    S("SregsLayout.GDT", offsetof(struct kvm_sregs, gdt));
    S("SregsLayout.IDT", offsetof(struct kvm_sregs, idt));
    S("SregsLayout.CR0", offsetof(struct kvm_sregs, cr0));
    S("SregsLayout.CR3", offsetof(struct kvm_sregs, cr3));
    S("SregsLayout.EFER", offsetof(struct kvm_sregs, efer));
    S("SregsLayout.APIC_BASE", offsetof(struct kvm_sregs, apic_base));
    S("SregsLayout.INTERRUPT_BITMAP", offsetof(struct kvm_sregs, interrupt_bitmap));
    S("SegmentLayout.SIZE", sizeof(struct kvm_segment));
    S("SegmentLayout.SELECTOR", offsetof(struct kvm_segment, selector));
    S("SegmentLayout.UNUSABLE", offsetof(struct kvm_segment, unusable));
    S("MemoryRegion.SIZE", sizeof(struct kvm_userspace_memory_region));
    S("MemoryRegion.USERSPACE_ADDR", offsetof(struct kvm_userspace_memory_region, userspace_addr));
    S("Cpuid.ENTRY_SIZE", sizeof(struct kvm_cpuid_entry2));
    S("Routing.ENTRY_SIZE", sizeof(struct kvm_irq_routing_entry));
    S("Routing.ENTRY_U", offsetof(struct kvm_irq_routing_entry, u));
    S("IRQFD_SIZE", sizeof(struct kvm_irqfd));
    S("IOEVENTFD_SIZE", sizeof(struct kvm_ioeventfd));
    S("MSI_SIZE", sizeof(struct kvm_msi));
    S("CREATE_DEVICE_SIZE", sizeof(struct kvm_create_device));
    S("DEVICE_ATTR_SIZE", sizeof(struct kvm_device_attr));
    return 0;
}
