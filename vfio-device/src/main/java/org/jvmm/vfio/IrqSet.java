package org.jvmm.vfio;

import static org.jvmm.vfio.uapi.VfioUapi.hex;

/**
 * struct vfio_irq_set for VFIO_DEVICE_SET_IRQS: {@code flags} holds one ACTION bit (MASK, UNMASK,
 * TRIGGER) and one DATA bit (NONE, BOOL, EVENTFD), which must agree with {@code data}'s type;
 * vectors [start, start + count) of IRQ {@code index}.
 */
public record IrqSet(int flags, int index, int start, int count, IrqData data) {

    /** Builds flags from the action bit and the data's type. */
    public static IrqSet of(int action, int index, int start, int count, IrqData data) {
        return new IrqSet(action | data.typeFlag(), index, start, count, data);
    }

    @Override
    public String toString() {
        return "flags=" + hex(flags) + ", index=" + index + ", start=" + start + ", count=" + count + ", data="
                + data.getClass().getSimpleName() + "[" + data.length() + "]";
    }
}
