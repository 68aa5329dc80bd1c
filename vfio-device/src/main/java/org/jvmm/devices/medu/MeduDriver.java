package org.jvmm.devices.medu;

import java.util.List;
import java.util.Map;
import org.jvmm.vfio.mdev.MdevBus;
import org.jvmm.vfio.mdev.MdevDevice;
import org.jvmm.vfio.mdev.MdevDeviceOps;
import org.jvmm.vfio.mdev.MdevDriver;
import org.jvmm.vfio.mdev.MdevParent;
import org.jvmm.vfio.mdev.MdevType;

/**
 * The medu parent and mdev driver: a virtual device {@code medu} with two types, {@code medu-pin}
 * ("edu, DMA through pinned pages": the engine pins each page it touches with vfio_pin_pages and
 * keeps the pin for later jobs) and {@code medu-rw} ("edu, DMA through vfio_dma_rw": it copies
 * without pinning). Instances are counted by the core ({@code max_instances}, EUSERS past it).
 *
 * <p>{@link Options#forgetUnpin} makes every mdev of this parent ignore the dma_unmap notifier:
 * the buggy vendor driver whose pins survive ten notifications, which the kernel answers with
 * BUG() (A-28; here TYPE1's loud failure naming the device and IOVA).
 *
 * <p>Thread-safe; the options are fixed at load.
 */
public final class MeduDriver implements MdevDriver {
    /** Instances per parent by default. */
    public static final int DEFAULT_MAX_INSTANCES = 4;

    /**
     * @param maxInstances the core-counted instance limit
     * @param forgetUnpin the vendor ignores dma_unmap (the fatal case of A-28)
     */
    public record Options(int maxInstances, boolean forgetUnpin) {
        public Options {
            if (maxInstances < 1) {
                throw new IllegalArgumentException("medu max_instances " + maxInstances + " is below 1");
            }
        }

        public static Options defaults() {
            return new Options(DEFAULT_MAX_INSTANCES, false);
        }
    }

    public final MdevType pin = new MdevType("pin", "edu, DMA through pinned pages");
    public final MdevType rw = new MdevType("rw", "edu, DMA through vfio_dma_rw");
    private final Options options;

    public MeduDriver(Options options) {
        this.options = options;
    }

    /** Loads the driver with default options: registers the parent {@code medu}. */
    public static MdevParent load(MdevBus bus) {
        return load(bus, Options.defaults());
    }

    public static MdevParent load(MdevBus bus, Options options) {
        MeduDriver d = new MeduDriver(options);
        return bus.registerParent("medu", "medu", d, List.of(d.pin, d.rw));
    }

    public Options options() {
        return options;
    }

    @Override
    public String deviceApi() {
        return "vfio-pci";
    }

    @Override
    public int maxInstances() {
        return options.maxInstances();
    }

    @Override
    public String description(MdevType type) {
        return type == pin ? "edu DMA engine; pins the pages it touches and keeps them until dma_unmap"
                : "edu DMA engine; copies with vfio_dma_rw, never pins";
    }

    @Override
    public MdevDeviceOps probe(MdevDevice mdev) {
        boolean pinning = mdev.type() == pin;
        return new MeduDevice(mdev, pinning ? MeduDevice.DmaMode.PIN : MeduDevice.DmaMode.DMA_RW, options.forgetUnpin());
    }

    @Override
    public Map<String, String> vendorAttributes(MdevDevice mdev) {
        return Map.of("dma_mode", (mdev.type() == pin ? "pin" : "dma_rw") + "\n");
    }
}
