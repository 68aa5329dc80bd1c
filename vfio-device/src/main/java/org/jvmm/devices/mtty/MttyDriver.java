package org.jvmm.devices.mtty;

import java.util.List;
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
 * The mtty parent and mdev driver: a virtual device {@code mtty} of class {@code mtty}
 * whose driver is {@code mtty}, with types {@code mtty-1} ("Single port serial", 1 port) and
 * {@code mtty-2} ("Dual port serial", 2 ports) drawing on one pool of 24 ports.
 * {@code available_instances} is free ports divided by the type's ports (get_available); a
 * probe past the pool is ENOSPC; the ports come back when the mdev is released.
 *
 * <p>Thread-safe: the pool is guarded by this object's monitor.
 */
public final class MttyDriver implements MdevDriver {
    /** MAX_MTTYS: ports shared by every mtty instance. */
    public static final int MAX_PORTS = 24;
    /** The single-port type (sysfs name "1"). */
    public final MdevType single = new MdevType("1", "Single port serial");
    /** The dual-port type (sysfs name "2"). */
    public final MdevType dual = new MdevType("2", "Dual port serial");
    private int availablePorts = MAX_PORTS;

    /** Loads the sample: registers the parent {@code mtty} with its two types on {@code bus}. */
    public static MdevParent load(MdevBus bus) {
        MttyDriver d = new MttyDriver();
        return bus.registerParent("mtty", "mtty", d, List.of(d.single, d.dual));
    }

    private int ports(MdevType type) {
        if (type == single) {
            return 1;
        }
        if (type == dual) {
            return 2;
        }
        throw new IllegalArgumentException(type + " is not an mtty type");
    }

    @Override
    public String deviceApi() {
        return "vfio-pci";
    }

    @Override
    public synchronized OptionalInt getAvailable(MdevType type) {
        return OptionalInt.of(availablePorts / ports(type));
    }

    /** Ports of the pool not given to an mdev. */
    public synchronized int availablePorts() {
        return availablePorts;
    }

    @Override
    public MdevDeviceOps probe(MdevDevice mdev) {
        int n = ports(mdev.type());
        synchronized (this) {
            if (availablePorts < n) {
                throw new ErrnoException("probe mtty " + mdev.name(), Errno.ENOSPC, availablePorts
                        + " port(s) left, type " + mdev.type().sysfsName() + " needs " + n);
            }
            availablePorts -= n;
        }
        return new MttyDevice(n);
    }

    /** the vendor group holds {@code sample_mdev_dev}, reading "This is MDEV UUID". */
    @Override
    public java.util.Map<String, String> vendorAttributes(MdevDevice mdev) {
        return java.util.Map.of("sample_mdev_dev", "This is MDEV " + mdev.name() + "\n");
    }

    @Override
    public void release(MdevDevice mdev) {
        int n = ports(mdev.type());
        synchronized (this) {
            availablePorts += n;
        }
    }
}
