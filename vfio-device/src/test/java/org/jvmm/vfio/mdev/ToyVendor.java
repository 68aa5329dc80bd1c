package org.jvmm.vfio.mdev;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jvmm.address.Iova;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.vfio.DeviceInfo;
import org.jvmm.vfio.IrqInfo;
import org.jvmm.vfio.IrqSet;
import org.jvmm.vfio.RegionInfo;
import org.jvmm.vfio.iommu.DmaUnmapListener;
import org.jvmm.vfio.uapi.VfioUapi;

/**
 * A small vendor driver for the core's tests: core-counted instances ({@code max_instances}),
 * one 4 KiB register region reported at a page offset of the vendor's choosing (0x3000, not
 * {@code index << 40}), an optional request callback, an optional dma_unmap callback that unpins
 * what it pinned (or keeps it, for the fatal case), and a log of the calls it got.
 */
final class ToyVendor implements MdevDriver {
    static final long REGION_OFFSET = 0x3000;
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    final List<Toy> devices = Collections.synchronizedList(new ArrayList<>());
    private final int maxInstances;
    boolean withRequest;
    boolean withDmaUnmap = true;
    boolean unpinOnNotify = true;
    ErrnoException probeError;
    java.util.function.Consumer<MdevDevice> duringProbe;
    ErrnoException openError;
    /** open_device refuses with ESRCH unless the VMM set the group's KVM first (kvmgt, A-18). */
    boolean requireKvm;
    String description;

    ToyVendor(int maxInstances) {
        this.maxInstances = maxInstances;
    }

    @Override
    public String deviceApi() {
        return "vfio-pci";
    }

    @Override
    public int maxInstances() {
        return maxInstances;
    }

    @Override
    public String description(MdevType type) {
        return description;
    }

    @Override
    public MdevDeviceOps probe(MdevDevice mdev) {
        calls.add("probe " + mdev.name());
        if (probeError != null) {
            throw probeError;
        }
        if (duringProbe != null) {
            duringProbe.accept(mdev);
        }
        Toy t = new Toy(mdev);
        devices.add(t);
        return t;
    }

    @Override
    public void release(MdevDevice mdev) {
        calls.add("release " + mdev.name());
    }

    /** One toy mdev: region 0 is 4 KiB of registers at file offset 0x3000. */
    final class Toy implements MdevDeviceOps {
        final MdevDevice mdev;
        final MemorySegment regs = MemorySegment.ofArray(new byte[4096]);
        final List<long[]> pinned = Collections.synchronizedList(new ArrayList<>());
        final List<String> unmaps = Collections.synchronizedList(new ArrayList<>());

        Toy(MdevDevice mdev) {
            this.mdev = mdev;
        }

        @Override
        public void openDevice() {
            calls.add("open " + mdev.name());
            if (openError != null) {
                throw openError;
            }
            if (requireKvm && mdev.kvm() == null) {
                throw new ErrnoException("open_device", Errno.ESRCH, mdev.name() + ": KVM is required");
            }
        }

        @Override
        public void closeDevice() {
            calls.add("close " + mdev.name());
            synchronized (pinned) {
                for (long[] p : pinned) {
                    mdev.unpinPages(Iova.of(p[0]), (int) p[1]);
                }
                pinned.clear();
            }
        }

        @Override
        public DeviceInfo getInfo() {
            return new DeviceInfo(VfioUapi.VFIO_DEVICE_FLAGS_PCI, 1, 0);
        }

        @Override
        public RegionInfo getRegionInfo(int index) {
            if (index != 0) {
                throw new ErrnoException("VFIO_DEVICE_GET_REGION_INFO", Errno.EINVAL, "index " + index);
            }
            return new RegionInfo(0, VfioUapi.VFIO_REGION_INFO_FLAG_READ | VfioUapi.VFIO_REGION_INFO_FLAG_WRITE, 4096,
                    REGION_OFFSET, List.of());
        }

        @Override
        public IrqInfo getIrqInfo(int index) {
            throw new ErrnoException("VFIO_DEVICE_GET_IRQ_INFO", Errno.EINVAL, "no IRQs");
        }

        @Override
        public void setIrqs(IrqSet set) {
            throw new ErrnoException("VFIO_DEVICE_SET_IRQS", Errno.EINVAL, "no IRQs");
        }

        @Override
        public void reset() {
            calls.add("reset " + mdev.name());
            regs.fill((byte) 0);
        }

        private MemorySegment slice(String op, long off, long len) {
            if (off < REGION_OFFSET || off + len > REGION_OFFSET + 4096) {
                throw new ErrnoException(op, Errno.EINVAL, "offset 0x" + Long.toHexString(off));
            }
            return regs.asSlice(off - REGION_OFFSET, len);
        }

        @Override
        public long read(long off, MemorySegment buf) {
            MemorySegment.copy(slice("pread", off, buf.byteSize()), 0, buf, 0, buf.byteSize());
            return buf.byteSize();
        }

        @Override
        public long write(long off, MemorySegment buf) {
            MemorySegment.copy(buf, 0, slice("pwrite", off, buf.byteSize()), 0, buf.byteSize());
            return buf.byteSize();
        }

        @Override
        public boolean hasRequest() {
            return withRequest;
        }

        @Override
        public void request(int count) {
            calls.add("request " + mdev.name() + " " + count);
        }

        @Override
        public DmaUnmapListener dmaUnmap() {
            if (!withDmaUnmap) {
                return null;
            }
            return (iova, size) -> {
                unmaps.add(iova + "+0x" + Long.toHexString(size));
                if (!unpinOnNotify) {
                    return;
                }
                synchronized (pinned) {
                    pinned.removeIf(p -> {
                        if (Long.compareUnsigned(p[0] - iova.value(), size) < 0) {
                            mdev.unpinPages(Iova.of(p[0]), (int) p[1]);
                            return true;
                        }
                        return false;
                    });
                }
            };
        }

        /** Pins and remembers, as a DMA engine would before a job. */
        void pin(long iova, int npage, org.jvmm.iommu.IommuPermission prot) {
            mdev.pinPages(Iova.of(iova), npage, prot);
            pinned.add(new long[] {iova, npage});
        }
    }
}
