package org.jvmm.devices.mbochs;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.vfio.mdev.MdevBus;
import org.jvmm.vfio.mdev.MdevDevice;
import org.jvmm.vfio.mdev.MdevDeviceOps;
import org.jvmm.vfio.mdev.MdevDriver;
import org.jvmm.vfio.mdev.MdevParent;
import org.jvmm.vfio.mdev.MdevType;

/**
 * The mbochs parent and mdev driver (A-48): a virtual device {@code mbochs} whose types
 * {@code mbochs-small} (4 MiB of video memory, EDID limit 800x600), {@code mbochs-medium} (16 MiB,
 * 1920x1440) and {@code mbochs-large} (64 MiB, no limit) draw on one pool of 256 MiB (the sample's
 * module parameter). {@code available_instances} is free MiB divided by the type's MiB; a probe
 * past the pool is ENOSPC; the megabytes come back when the mdev is released. The description
 * reads "virtual display, N MB video memory"; the vendor group holds {@code memory} ("N MB").
 *
 * <p>Thread-safe: the pool is guarded by this object's monitor.
 */
public final class MbochsDriver implements MdevDriver {
    /** The default pool, in MiB (the sample's {@code count} module parameter). */
    public static final int DEFAULT_POOL_MIB = 256;

    /** One type: its video memory and the EDID resolution limit (0 = none). */
    public record TypeSpec(MdevType type, int mbytes, int maxX, int maxY) {
    }

    public final TypeSpec small = new TypeSpec(new MdevType("small", "mbochs-small"), 4, 800, 600);
    public final TypeSpec medium = new TypeSpec(new MdevType("medium", "mbochs-medium"), 16, 1920, 1440);
    public final TypeSpec large = new TypeSpec(new MdevType("large", "mbochs-large"), 64, 0, 0);
    private final int poolMib;
    private int usedMib;
    private final Map<MdevDevice, MbochsDevice> devices = new java.util.HashMap<>();

    public MbochsDriver(int poolMib) {
        if (poolMib <= 0) {
            throw new IllegalArgumentException("mbochs pool of " + poolMib + " MiB is not positive");
        }
        this.poolMib = poolMib;
    }

    /** Loads the sample with the default 256 MiB pool: registers the parent {@code mbochs}. */
    public static MdevParent load(MdevBus bus) {
        return load(bus, DEFAULT_POOL_MIB);
    }

    public static MdevParent load(MdevBus bus, int poolMib) {
        MbochsDriver d = new MbochsDriver(poolMib);
        return bus.registerParent("mbochs", "mbochs", d, List.of(d.small.type(), d.medium.type(), d.large.type()));
    }

    /** The spec of one of this driver's types. */
    public TypeSpec spec(MdevType type) {
        for (TypeSpec s : List.of(small, medium, large)) {
            if (s.type() == type) {
                return s;
            }
        }
        throw new IllegalArgumentException(type + " is not an mbochs type");
    }

    @Override
    public String deviceApi() {
        return "vfio-pci";
    }

    @Override
    public synchronized OptionalInt getAvailable(MdevType type) {
        return OptionalInt.of((poolMib - usedMib) / spec(type).mbytes());
    }

    @Override
    public String description(MdevType type) {
        return "virtual display, " + spec(type).mbytes() + " MB video memory";
    }

    /** MiB of the pool given to mdevs now. */
    public synchronized int usedMib() {
        return usedMib;
    }

    @Override
    public MdevDeviceOps probe(MdevDevice mdev) {
        TypeSpec s = spec(mdev.type());
        synchronized (this) {
            if (usedMib + s.mbytes() > poolMib) {
                throw new ErrnoException("probe mbochs " + mdev.name(), Errno.ENOSPC, (poolMib - usedMib)
                        + " MiB of " + poolMib + " left, type " + s.type().sysfsName() + " needs " + s.mbytes());
            }
            usedMib += s.mbytes();
        }
        try {
            MbochsDevice d = new MbochsDevice(mdev.name(), mdev.hostMemory().allocate("mbochs@" + mdev.name(),
                    s.mbytes() * (1L << 20)), s.maxX(), s.maxY());
            synchronized (this) {
                devices.put(mdev, d);
            }
            return d;
        } catch (RuntimeException e) {
            synchronized (this) {
                usedMib -= s.mbytes();
            }
            throw e;
        }
    }

    @Override
    public Map<String, String> vendorAttributes(MdevDevice mdev) {
        return Map.of("memory", spec(mdev.type()).mbytes() + " MB\n");
    }

    @Override
    public void release(MdevDevice mdev) {
        int n = spec(mdev.type()).mbytes();
        MbochsDevice d;
        synchronized (this) {
            usedMib -= n;
            d = devices.remove(mdev);
        }
        if (d != null) {
            d.released();
        }
    }
}
