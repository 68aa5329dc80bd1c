package org.jvmm.kvm.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Every ioctl constant equals what include/uapi/asm-generic/ioctl.h's _IO/_IOR/_IOW/_IOWR give
 * for its definition in include/uapi/linux/kvm.h, and a few equal the literal values printed by
 * a C program against the installed headers.
 */
class KvmIoctlNumbersMatchUapiEncoding {
    private static final int NONE = 0;
    private static final int WRITE = 1;
    private static final int READ = 2;

    /** _IOC(dir, type, nr, size): dir in bits 30-31, size in 16-29, type in 8-15, nr in 0-7. */
    private static long ioc(int dir, int type, int nr, long size) {
        return ((long) dir << 30) | (size << 16) | ((long) type << 8) | nr;
    }

    private static long io(int nr) {
        return ioc(NONE, 0xAE, nr, 0);
    }

    private static long ior(int nr, long size) {
        return ioc(READ, 0xAE, nr, size);
    }

    private static long iow(int nr, long size) {
        return ioc(WRITE, 0xAE, nr, size);
    }

    private static long iowr(int nr, long size) {
        return ioc(READ | WRITE, 0xAE, nr, size);
    }

    @Test
    @DisplayName("system ioctls: _IO(KVMIO, 0x00/0x01/0x03/0x04), _IOWR(KVMIO, 0x05, struct kvm_cpuid2)")
    void systemIoctls() {
        assertEquals(io(0x00), KvmIoctls.KVM_GET_API_VERSION);
        assertEquals(io(0x01), KvmIoctls.KVM_CREATE_VM);
        assertEquals(io(0x03), KvmIoctls.KVM_CHECK_EXTENSION);
        assertEquals(io(0x04), KvmIoctls.KVM_GET_VCPU_MMAP_SIZE);
        assertEquals(iowr(0x05, KvmStructs.Cpuid.HEADER_SIZE), KvmIoctls.KVM_GET_SUPPORTED_CPUID);
    }

    @Test
    @DisplayName("VM ioctls with their struct sizes")
    void vmIoctls() {
        assertEquals(io(0x41), KvmIoctls.KVM_CREATE_VCPU);
        assertEquals(iow(0x46, KvmStructs.MemoryRegion.SIZE), KvmIoctls.KVM_SET_USER_MEMORY_REGION);
        assertEquals(io(0x47), KvmIoctls.KVM_SET_TSS_ADDR);
        assertEquals(iow(0x48, 8), KvmIoctls.KVM_SET_IDENTITY_MAP_ADDR);
        assertEquals(io(0x60), KvmIoctls.KVM_CREATE_IRQCHIP);
        assertEquals(iow(0x61, KvmStructs.IRQ_LEVEL_SIZE), KvmIoctls.KVM_IRQ_LINE);
        assertEquals(iow(0x6a, KvmStructs.Routing.HEADER_SIZE), KvmIoctls.KVM_SET_GSI_ROUTING);
        assertEquals(iow(0x76, KvmStructs.IRQFD_SIZE), KvmIoctls.KVM_IRQFD);
        assertEquals(iow(0x77, KvmStructs.PIT_CONFIG_SIZE), KvmIoctls.KVM_CREATE_PIT2);
        assertEquals(iow(0x79, KvmStructs.IOEVENTFD_SIZE), KvmIoctls.KVM_IOEVENTFD);
        assertEquals(iow(0xa5, KvmStructs.MSI_SIZE), KvmIoctls.KVM_SIGNAL_MSI);
        assertEquals(iowr(0xe0, KvmStructs.CREATE_DEVICE_SIZE), KvmIoctls.KVM_CREATE_DEVICE);
        assertEquals(iow(0xe1, KvmStructs.DEVICE_ATTR_SIZE), KvmIoctls.KVM_SET_DEVICE_ATTR);
        assertEquals(iow(0xe2, KvmStructs.DEVICE_ATTR_SIZE), KvmIoctls.KVM_GET_DEVICE_ATTR);
        assertEquals(iow(0xe3, KvmStructs.DEVICE_ATTR_SIZE), KvmIoctls.KVM_HAS_DEVICE_ATTR);
    }

    @Test
    @DisplayName("vCPU ioctls with their struct sizes")
    void vcpuIoctls() {
        assertEquals(io(0x80), KvmIoctls.KVM_RUN);
        assertEquals(ior(0x81, KvmStructs.REGS_SIZE), KvmIoctls.KVM_GET_REGS);
        assertEquals(iow(0x82, KvmStructs.REGS_SIZE), KvmIoctls.KVM_SET_REGS);
        assertEquals(ior(0x83, KvmStructs.SregsLayout.SIZE), KvmIoctls.KVM_GET_SREGS);
        assertEquals(iow(0x84, KvmStructs.SregsLayout.SIZE), KvmIoctls.KVM_SET_SREGS);
        assertEquals(iow(0x90, KvmStructs.Cpuid.HEADER_SIZE), KvmIoctls.KVM_SET_CPUID2);
    }

    @Test
    @DisplayName("literal values from the installed headers (C sizeof/printf)")
    void literalValuesFromTheHeaders() {
        assertEquals(0xAE00L, KvmIoctls.KVM_GET_API_VERSION);
        assertEquals(0xAE01L, KvmIoctls.KVM_CREATE_VM);
        assertEquals(0xAE80L, KvmIoctls.KVM_RUN);
        assertEquals(0x4020AE46L, KvmIoctls.KVM_SET_USER_MEMORY_REGION);
        assertEquals(0x8138AE83L, KvmIoctls.KVM_GET_SREGS);
        assertEquals(0x4040AE79L, KvmIoctls.KVM_IOEVENTFD);
        assertEquals(0xC00CAEE0L, KvmIoctls.KVM_CREATE_DEVICE);
    }

    @Test
    @DisplayName("struct sizes and offsets: kvm_run, kvm_sregs, kvm_segment, routing entry, cpuid entry")
    void structLayouts() {
        assertEquals(0x930, KvmStructs.Run.SIZE);
        assertEquals(8, KvmStructs.Run.EXIT_REASON);
        assertEquals(0x20, KvmStructs.Run.EXIT);
        assertEquals(0x30, KvmStructs.Run.MMIO_LEN);
        assertEquals(0x34, KvmStructs.Run.MMIO_IS_WRITE);
        assertEquals(0x28, KvmStructs.Run.SYSTEM_EVENT_DATA);
        assertEquals(0x28, KvmStructs.Run.INTERNAL_DATA);
        assertEquals(0x120, KvmStructs.Run.KVM_VALID_REGS);
        assertEquals(24, KvmStructs.SegmentLayout.SIZE);
        assertEquals(8 * KvmStructs.SegmentLayout.SIZE, KvmStructs.SregsLayout.GDT);
        assertEquals(0xe0, KvmStructs.SregsLayout.CR0);
        assertEquals(0x108, KvmStructs.SregsLayout.EFER);
        assertEquals(0x110, KvmStructs.SregsLayout.APIC_BASE);
        assertEquals(KvmStructs.SregsLayout.APIC_BASE + 8 + 4 * 8, KvmStructs.SregsLayout.SIZE);
        assertEquals(18 * 8, KvmStructs.REGS_SIZE);
        assertEquals(0x30, KvmStructs.Routing.ENTRY_SIZE);
        assertEquals(0x28, KvmStructs.Cpuid.ENTRY_SIZE);
    }

    @Test
    @DisplayName("exit reasons and flags from include/uapi/linux/kvm.h")
    void exitReasonsAndFlags() {
        assertEquals(2, KvmIoctls.KVM_EXIT_IO);
        assertEquals(5, KvmIoctls.KVM_EXIT_HLT);
        assertEquals(6, KvmIoctls.KVM_EXIT_MMIO);
        assertEquals(8, KvmIoctls.KVM_EXIT_SHUTDOWN);
        assertEquals(9, KvmIoctls.KVM_EXIT_FAIL_ENTRY);
        assertEquals(10, KvmIoctls.KVM_EXIT_INTR);
        assertEquals(17, KvmIoctls.KVM_EXIT_INTERNAL_ERROR);
        assertEquals(24, KvmIoctls.KVM_EXIT_SYSTEM_EVENT);
        assertEquals(1 << 1, KvmIoctls.KVM_IOEVENTFD_FLAG_PIO);
        assertEquals(1 << 2, KvmIoctls.KVM_IOEVENTFD_FLAG_DEASSIGN);
        assertEquals(1 << 1, KvmIoctls.KVM_IRQFD_FLAG_RESAMPLE);
    }
}
