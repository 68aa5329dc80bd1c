package org.jvmm.vfio;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;

import java.lang.foreign.MemorySegment;

/**
 * Seed 001's {@code struct vfio_device_svm { __u32 argsz; __u32 flags; __u32 pasid; }} (12 bytes),
 * the argument of VFIO_DEVICE_BIND_TASK (pasid out) and VFIO_DEVICE_UNBIND_TASK (pasid in).
 */
public record VfioDeviceSvm(int argsz, int flags, int pasid) {
    public static final int SIZE = 12;

    public static VfioDeviceSvm bind() {
        return new VfioDeviceSvm(SIZE, 0, 0);
    }

    public static VfioDeviceSvm unbind(int pasid, int flags) {
        return new VfioDeviceSvm(SIZE, flags, pasid);
    }

    public VfioDeviceSvm withPasid(int p) {
        return new VfioDeviceSvm(argsz, flags, p);
    }

    public static VfioDeviceSvm decode(MemorySegment s) {
        return new VfioDeviceSvm(s.get(JAVA_INT_UNALIGNED, 0), s.get(JAVA_INT_UNALIGNED, 4), s.get(JAVA_INT_UNALIGNED, 8));
    }

    public void encode(MemorySegment s) {
        s.set(JAVA_INT_UNALIGNED, 0, argsz);
        s.set(JAVA_INT_UNALIGNED, 4, flags);
        s.set(JAVA_INT_UNALIGNED, 8, pasid);
    }
}
