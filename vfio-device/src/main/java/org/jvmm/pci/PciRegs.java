package org.jvmm.pci;

/** Config-space offsets and bits from the PCI specification (Linux include/uapi/linux/pci_regs.h). */
public final class PciRegs {
    private PciRegs() {
    }

    public static final int VENDOR_ID = 0x00;
    public static final int DEVICE_ID = 0x02;
    public static final int COMMAND = 0x04;
    public static final int STATUS = 0x06;
    public static final int REVISION_ID = 0x08;
    public static final int CLASS_PROG = 0x09;
    /** Base class and subclass (16 bits). */
    public static final int CLASS_DEVICE = 0x0a;
    public static final int CACHE_LINE_SIZE = 0x0c;
    public static final int LATENCY_TIMER = 0x0d;
    public static final int HEADER_TYPE = 0x0e;
    public static final int BASE_ADDRESS_0 = 0x10;
    public static final int SUBSYSTEM_VENDOR_ID = 0x2c;
    public static final int SUBSYSTEM_ID = 0x2e;
    public static final int ROM_ADDRESS = 0x30;
    public static final int CAPABILITY_LIST = 0x34;
    public static final int INTERRUPT_LINE = 0x3c;
    public static final int INTERRUPT_PIN = 0x3d;

    public static final int COMMAND_IO = 0x1;
    public static final int COMMAND_MEMORY = 0x2;
    public static final int COMMAND_MASTER = 0x4;
    public static final int COMMAND_PARITY = 0x40;
    public static final int COMMAND_SERR = 0x100;
    public static final int COMMAND_INTX_DISABLE = 0x400;

    public static final int STATUS_INTERRUPT = 0x8;
    public static final int STATUS_CAP_LIST = 0x10;

    public static final int HEADER_TYPE_MULTIFUNCTION = 0x80;

    public static final int BASE_ADDRESS_SPACE_IO = 0x01;
    public static final int BASE_ADDRESS_MEM_TYPE_64 = 0x04;
    public static final int BASE_ADDRESS_MEM_PREFETCH = 0x08;

    /** Size of a conventional PCI configuration space, and the number of BARs of a type-0 header. */
    public static final int SPACE_SIZE = 256;
    public static final int BAR_COUNT = 6;

    public static final int CAP_ID_MSI = 0x05;
    public static final int CAP_ID_EXP = 0x10;
    public static final int CAP_ID_MSIX = 0x11;

    public static final int MSI_FLAGS_ENABLE = 0x1;
    public static final int MSI_FLAGS_QMASK = 0x0e;
    public static final int MSI_FLAGS_QSIZE = 0x70;
    public static final int MSI_FLAGS_64BIT = 0x80;

    public static final int MSIX_FLAGS_QSIZE = 0x07ff;
    public static final int MSIX_FLAGS_MASKALL = 0x4000;
    public static final int MSIX_FLAGS_ENABLE = 0x8000;

    /** Where this model places its capabilities. */
    public static final int CAP_EXP_OFFSET = 0x40;
    /** MSI of a PCI Express function, after its PCI Express capability. */
    public static final int CAP_MSI_OFFSET = 0x80;
    /**
     * MSI of a conventional PCI function: the first free offset after the header, where QEMU's
     * msi_init puts it when no offset is asked for (hw/pci/msi.c through pci_add_capability).
     */
    public static final int CAP_MSI_OFFSET_CONVENTIONAL = 0x40;
    public static final int CAP_MSIX_OFFSET = 0xa0;

    /** Where a function's MSI capability sits: after PCI Express at 0x80, else first free at 0x40. */
    public static int msiCapOffset(boolean pcie) {
        return pcie ? CAP_MSI_OFFSET : CAP_MSI_OFFSET_CONVENTIONAL;
    }
}
