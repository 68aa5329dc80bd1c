package org.jvmm.vfiouser;

/** The vfio-user command numbers (the header's command field, u16). */
public enum VfioUserCommand {
    VERSION(1), DMA_MAP(2), DMA_UNMAP(3), DEVICE_GET_INFO(4), DEVICE_GET_REGION_INFO(5),
    DEVICE_GET_REGION_IO_FDS(6), DEVICE_GET_IRQ_INFO(7), DEVICE_SET_IRQS(8), REGION_READ(9),
    REGION_WRITE(10), DMA_READ(11), DMA_WRITE(12), DEVICE_RESET(13), DEVICE_FEATURE(16),
    MIG_DATA_READ(17), MIG_DATA_WRITE(18);

    private static final VfioUserCommand[] BY_NUMBER = new VfioUserCommand[19];

    static {
        for (VfioUserCommand c : values()) {
            BY_NUMBER[c.number] = c;
        }
    }

    private final int number;

    VfioUserCommand(int number) {
        this.number = number;
    }

    /** The number on the wire. */
    public int number() {
        return number;
    }

    /** The command with this wire number, or null when the number is not a known command. */
    public static VfioUserCommand of(int number) {
        return number >= 0 && number < BY_NUMBER.length ? BY_NUMBER[number] : null;
    }
}
