package org.jvmm.vfio.pci;

import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jvmm.address.HostAddress;
import org.jvmm.address.bytes.Bytes;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.pci.BarSpec;
import org.jvmm.pci.MsixSpec;
import org.jvmm.pci.PciConfigSpace;
import org.jvmm.pci.PciDeviceModel;
import org.jvmm.pci.host.HostPciFunction;
import org.jvmm.vfio.BusErrorException;
import org.jvmm.vfio.RegionMapping;

/**
 * vfio-pci's BAR mappings for one device (the mmap and fault handling of Linux's
 * drivers/vfio/pci/vfio_pci_core.c): mmap of a BAR (page aligned, never over the MSI-X table's
 * pages), accesses through a mapping, RAM-like BAR memory handed out on fault, and revocation when
 * memory decode goes off or the device resets (the kernel zaps the BARs' PTEs; here each
 * mapping's revoke listeners hear it).
 *
 * <p>Threads and locks: mmap and revocation come through {@link VfioPciCore} with its monitor
 * held. Accesses through a mapping ({@link RegionMapping#read}, {@link RegionMapping#write},
 * {@link RegionMapping#fault}) come from any thread and take no lock here: the mapping list is
 * copy-on-write, a mapping's closed flag is volatile, and memory decode is read from the config
 * space's published command register; the device model's own lock is the only one they take.
 */
final class VfioPciMmap {
    private final VfioPciCore core;
    private final HostPciFunction function;
    private final PciDeviceModel model;
    private final PciConfigSpace config;
    private final List<Mapping> mappings = new CopyOnWriteArrayList<>();

    VfioPciMmap(VfioPciCore core, HostPciFunction function) {
        this.core = core;
        this.function = function;
        this.model = function.model();
        this.config = function.config();
    }

    /** mmap of the device fd (vfio_pci_core_mmap); the core holds its monitor. */
    RegionMapping mmap(long fileOffset, long length) {
        String op = "mmap";
        int index = (int) (fileOffset >>> VFIO_PCI_OFFSET_SHIFT);
        long pos = fileOffset & VfioPciCore.OFFSET_MASK;
        if (fileOffset < 0 || index >= VFIO_PCI_NUM_REGIONS) {
            throw new ErrnoException(op, Errno.EINVAL, where(fileOffset, length) + ": no such region");
        }
        BarSpec b = index <= VFIO_PCI_BAR5_REGION_INDEX ? core.bar(index) : null;
        if (!VfioPciCore.barMmappable(b)) {
            throw new ErrnoException(op, Errno.EINVAL, where(fileOffset, length) + ": region " + index + " cannot be mmap-ed");
        }
        long physLen = (b.size() + VfioPciCore.PAGE_SIZE - 1) & ~(VfioPciCore.PAGE_SIZE - 1);
        if (length <= 0 || (pos & (VfioPciCore.PAGE_SIZE - 1)) != 0 || (length & (VfioPciCore.PAGE_SIZE - 1)) != 0
                || pos > physLen || length > physLen - pos) {
            throw new ErrnoException(op, Errno.EINVAL, where(fileOffset, length) + ": not page aligned or beyond BAR size " + hex(b.size()));
        }
        MsixSpec msix = model.msix();
        if (msix != null && msix.tableBar() == index) {
            long[] t = VfioPciCore.msixTablePages(msix);
            if (pos < t[1] && t[0] < pos + length) {
                throw new ErrnoException(op, Errno.EINVAL, where(fileOffset, length) + ": overlaps the MSI-X table [" + hex(t[0]) + ", "
                        + hex(t[1]) + ")");
            }
        }
        Mapping m = new Mapping(index, pos, length);
        mappings.add(m);
        return m;
    }

    /** The context of an mmap error (built on that path only). */
    private static String where(long fileOffset, long length) {
        return "offset=" + hex(fileOffset) + ", length=" + hex(length);
    }

    /**
     * Revokes every mapping (vfio_pci_zap_bars): each mapping's listeners hear it, and accesses
     * through it fault again. The core calls it with its monitor held.
     */
    void revokeAll() {
        for (Mapping m : mappings) {
            m.revoked();
        }
    }

    /** One mmap of a BAR; see {@link RegionMapping}. */
    private final class Mapping implements RegionMapping {
        private final int index;
        private final long pos;
        private final long length;
        private final List<Runnable> revokeListeners = new CopyOnWriteArrayList<>();
        private volatile boolean closed;

        Mapping(int index, long pos, long length) {
            this.index = index;
            this.pos = pos;
            this.length = length;
        }

        @Override
        public int region() {
            return index;
        }

        @Override
        public long regionOffset() {
            return pos;
        }

        @Override
        public long length() {
            return length;
        }

        private void check(long offset, int size) {
            if (closed) {
                throw new IllegalStateException("mapping of " + core.name() + " region " + index + " is closed");
            }
            if (!Bytes.isAccessSize(size) || offset < 0 || offset > length - size) {
                throw new IllegalArgumentException("access of " + size + " bytes at " + hex(offset) + " outside the "
                        + hex(length) + "-byte mapping");
            }
            if (!config.memoryDecode()) {
                throw new BusErrorException(core.name(), index, pos + offset, size,
                        "memory decode is off");
            }
        }

        @Override
        public long read(long offset, int size) {
            check(offset, size);
            long at = pos + offset;
            BarSpec b = core.bar(index);
            if (at + size > b.size() || function.iommuGroup().mmioFrozen()) {
                // past the BAR inside the last page, or the PE is frozen by EEH: reads float high
                return -1L >>> (64 - 8 * size);
            }
            MemorySegment mem = model.barMemory(index);
            if (mem != null) {
                return Bytes.loadLe(mem, at, size);
            }
            return model.barRead(index, at, size);
        }

        @Override
        public void write(long offset, int size, long value) {
            check(offset, size);
            long at = pos + offset;
            if (at + size > core.bar(index).size() || function.iommuGroup().mmioFrozen()) {
                return;
            }
            MemorySegment mem = model.barMemory(index);
            if (mem != null) {
                Bytes.storeLe(mem, at, size, value);
            } else {
                model.barWrite(index, at, size, value);
            }
        }

        @Override
        public MemorySegment fault() {
            check(0, 1);
            MemorySegment mem = model.barMemory(index);
            return mem == null ? null : mem.asSlice(pos, Math.min(length, core.bar(index).size() - pos));
        }

        @Override
        public HostAddress hostAddress() {
            MemorySegment mem = model.barMemory(index);
            return mem == null ? null : new HostAddress(mem.address() + pos);
        }

        @Override
        public void addRevokeListener(Runnable listener) {
            revokeListeners.add(listener);
        }

        void revoked() {
            for (Runnable r : revokeListeners) {
                r.run();
            }
        }

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public void close() {
            synchronized (this) {
                if (closed) {
                    throw new IllegalStateException("mapping of " + core.name() + " region " + index + " closed twice");
                }
                closed = true;
            }
            mappings.remove(this);
        }
    }
}
