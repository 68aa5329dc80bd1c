package org.jvmm.hw.vfio;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.LongAdder;
import org.jvmm.address.bytes.Bytes;
import org.jvmm.memory.AccessRules;
import org.jvmm.memory.ContainerRegion;
import org.jvmm.memory.Endianness;
import org.jvmm.memory.MmioOps;
import org.jvmm.memory.MmioRegion;
import org.jvmm.memory.RamRegion;
import org.jvmm.trace.Trace;
import org.jvmm.vfio.BusErrorException;
import org.jvmm.vfio.RegionMapping;
import org.jvmm.vfio.VfioDeviceFile;
import org.jvmm.vfio.uapi.VfioUapi;

/**
 * One BAR of a VFIO device as the guest sees it (QEMU's VFIORegion, hw/vfio/region.c): a
 * container holding a trap region, so every access exits to the VMM and is carried out with a
 * region read or write at the BAR's offset in the device file, or through the BAR's mmap where
 * the region may be mapped. A RAM-like BAR (ivshmem's shared memory) is faulted in on first
 * touch: that access is served through the mapping, and the mapping's memory is placed over the
 * trap, so the accelerator makes it a memslot and later accesses run without exits. When the
 * device revokes its mappings (decode off, reset) the memory leaves the guest again, and the next
 * touch after decode is back faults it in anew.
 *
 * <p>Region data is a byte stream in PCI bus order: little-endian, whatever the host.
 *
 * <h2>Threads and locks</h2>
 * Trapped accesses come from any vCPU thread, concurrently. Their hot path takes no lock of this
 * class: the mapping, once made, is read from a volatile field, and a register BAR's access goes
 * straight to the mapping or the device file; the only monitor on the way is the device model's
 * own (the VFIO driver checks memory decode without locking). This object's monitor is taken only
 * to make the mapping, to fault the memory in (the first touch in a decode period), on revocation
 * and on close. Lock order: this monitor, then the memory API's topology lock (placing or hiding
 * the memory); the driver calls {@link #revoked} with its own monitor held, so the driver's
 * monitor comes before this one, and nothing here calls into the driver's locked paths while
 * holding this monitor ({@link RegionMapping#fault} takes no driver lock; mmap is made outside it).
 */
final class VfioRegion {
    private static final AccessRules RULES = new AccessRules(1, 8, false, 1, 8, Endianness.LITTLE);
    private static final ThreadLocal<MemorySegment> SCRATCH =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(8, 8));

    private final String deviceName;
    private final String name;
    private final VfioDeviceFile device;
    private final int index;
    private volatile Runnable beforeTrap;
    /** The region's offset in the device file, as GET_REGION_INFO reported it. */
    private final long base;
    private final long size;
    private final boolean mappable;
    private final ContainerRegion container;
    private final LongAdder trappedReads;
    private final LongAdder trappedWrites;
    private final LongAdder faults;

    private volatile RegionMapping mapping;
    /** Guarded by this monitor. */
    private RamRegion memory;
    /** True while {@link #memory} is placed and enabled: a trap that sees it needs no lock. */
    private volatile boolean memoryLive;

    VfioRegion(String deviceName, VfioDeviceFile device, int index, long size, boolean mappable, LongAdder trappedReads,
            LongAdder trappedWrites, LongAdder faults) {
        this.deviceName = deviceName;
        this.name = deviceName + "-bar" + index;
        this.device = device;
        this.index = index;
        this.base = device.getRegionInfo(index).offset(); // the vendor's offset, index << 40 for vfio-pci
        this.size = size;
        this.mappable = mappable;
        this.trappedReads = trappedReads;
        this.trappedWrites = trappedWrites;
        this.faults = faults;
        this.container = new ContainerRegion(name, size);
        container.addSubregion(0, new MmioRegion(name + "-trap", size, new Trap()));
    }

    int index() {
        return index;
    }

    /**
     * Runs {@code hook} before every trapped access (QEMU's vfio_eoi from vfio_region_read/write:
     * with INTx handled by the VMM, an access after the guest's EOI unmasks the line first).
     */
    void beforeTrap(Runnable hook) {
        this.beforeTrap = hook;
    }

    /** The container the BAR's memory-API view lives in (trap, mapping, MSI-X overlays). */
    ContainerRegion container() {
        return container;
    }

    private long fileOffset(long offset) {
        return base + offset;
    }

    /** The BAR's mapping, made on first use. */
    private RegionMapping mapping() {
        RegionMapping m = mapping;
        return m != null ? m : makeMapping();
    }

    /** Maps the BAR outside this monitor (mmap takes the driver's); a thread that loses the race unmaps its copy. */
    private RegionMapping makeMapping() {
        RegionMapping m = device.mmap(fileOffset(0), size);
        synchronized (this) {
            if (mapping == null) {
                m.addRevokeListener(this::revoked);
                mapping = m;
                return m;
            }
        }
        m.close();
        return mapping;
    }

    /**
     * The BAR's memory for this access, faulted into the guest if it is not there yet; null for a
     * register BAR. Bus error when decode is off.
     */
    private MemorySegment faultIn(RegionMapping m) {
        MemorySegment mem = m.fault();
        if (mem == null || memoryLive) {
            return mem;
        }
        return faultInLocked();
    }

    private synchronized MemorySegment faultInLocked() {
        MemorySegment mem = mapping.fault(); // again under the monitor: a revocation may have come between
        if (mem == null || memoryLive) {
            return mem;
        }
        if (memory == null) {
            memory = RamRegion.ofDeviceMemory(name + "-mmap", mem);
            container.addSubregion(0, memory, 1);
        } else {
            memory.setEnabled(true);
        }
        memoryLive = true;
        faults.increment();
        Trace.barFault(deviceName, index);
        return mem;
    }

    /** The device revoked its mappings: the memory leaves the guest until the next fault. */
    private synchronized void revoked() {
        memoryLive = false;
        if (memory != null) {
            memory.setEnabled(false);
        }
    }

    synchronized void close() {
        if (mapping != null) {
            mapping.close();
        }
    }

    /** What a guest access to the BAR does while it is trapped. */
    private final class Trap implements MmioOps {
        @Override
        public AccessRules rules() {
            return RULES;
        }

        @Override
        public long read(long offset, int size) {
            trappedReads.increment();
            Runnable eoi = beforeTrap;
            if (eoi != null) {
                eoi.run();
            }
            try {
                if (mappable) {
                    RegionMapping m = mapping();
                    MemorySegment mem = faultIn(m);
                    return mem != null ? Bytes.loadLe(mem, offset, size) : m.read(offset, size);
                }
                MemorySegment buf = SCRATCH.get().asSlice(0, size);
                device.read(fileOffset(offset), buf);
                return Bytes.loadLe(buf, 0, size);
            } catch (BusErrorException e) {
                return Bytes.mask(size);
            }
        }

        @Override
        public void write(long offset, int size, long value) {
            trappedWrites.increment();
            Runnable eoi = beforeTrap;
            if (eoi != null) {
                eoi.run();
            }
            try {
                if (mappable) {
                    RegionMapping m = mapping();
                    MemorySegment mem = faultIn(m);
                    if (mem != null) {
                        Bytes.storeLe(mem, offset, size, value);
                    } else {
                        m.write(offset, size, value);
                    }
                    return;
                }
                MemorySegment buf = SCRATCH.get().asSlice(0, size);
                Bytes.storeLe(buf, 0, size, value);
                device.write(fileOffset(offset), buf);
            } catch (BusErrorException e) {
                // the write is lost, as on the bus
            }
        }
    }
}
