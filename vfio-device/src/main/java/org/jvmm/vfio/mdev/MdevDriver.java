package org.jvmm.vfio.mdev;

import java.util.OptionalInt;

/**
 * A vendor's mdev driver (struct mdev_driver), bound explicitly to every mdev created on its
 * parent. {@link #probe} allocates the vendor's state and returns the VFIO device operations the
 * core registers as an emulated-IOMMU VFIO device; an {@link org.jvmm.host.ErrnoException} from
 * it is what the {@code create} write returns. {@link #release} runs when the last reference to
 * the mdev is dropped (after every fd closed), when the vendor's own pool gets its share back.
 */
public interface MdevDriver {

    /** The device_api string of every type ({@code vfio-pci} for PCI-like mdevs). */
    String deviceApi();

    /**
     * max_instances: the per-parent instance counter's start, used when {@link #getAvailable}
     * is empty (the driver has no get_available).
     */
    default int maxInstances() {
        return 0;
    }

    /** get_available: instances of {@code type} that can still be created; empty when the driver has none. */
    default OptionalInt getAvailable(MdevType type) {
        return OptionalInt.empty();
    }

    /** show_description: the {@code description} attribute's text (without newline), or null for none. */
    default String description(MdevType type) {
        return null;
    }

    /** probe: the vendor's device for {@code mdev}, or an ErrnoException (ENOSPC for an exhausted pool). */
    MdevDeviceOps probe(MdevDevice mdev);

    /**
     * The driver's read-only device attributes (dev_groups): file name to text, shown under
     * /sys/bus/mdev/devices/UUID/vendor/ (mtty: {@code sample_mdev_dev}); empty for none.
     */
    default java.util.Map<String, String> vendorAttributes(MdevDevice mdev) {
        return java.util.Map.of();
    }

    /** The last reference to {@code mdev} is gone: give back what probe took. */
    default void release(MdevDevice mdev) {
    }
}
