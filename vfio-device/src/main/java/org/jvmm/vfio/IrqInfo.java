package org.jvmm.vfio;

/** struct vfio_irq_info after VFIO_DEVICE_GET_IRQ_INFO: flags (EVENTFD, MASKABLE, AUTOMASKED, NORESIZE) and count. */
public record IrqInfo(int index, int flags, int count) {
    public boolean has(int flag) {
        return (flags & flag) != 0;
    }
}
