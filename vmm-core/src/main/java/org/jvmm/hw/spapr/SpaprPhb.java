package org.jvmm.hw.spapr;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.jvmm.hw.pci.PciBus;
import org.jvmm.memory.AddressSpace;
import org.jvmm.memory.ContainerRegion;
import org.jvmm.memory.IommuRegion;

/**
 * The pseries guest's PCI host bridge (QEMU hw/ppc/spapr_pci.c, SpaprPhbState), index {@code n}:
 * BUID 0x800000020000000 + n; a PCI bus whose 32-bit MMIO window sits at
 * 0x2000_0000_0000 + n * 2^32 in the guest's memory (a BAR at bus address A is at that base + A);
 * a DMA address space in which the enabled TCE windows sit as IOMMU regions, with two LIOBNs,
 * 0x80000000 | n &lt;&lt; 8 | window; the default 32-bit window (window 0) at bus address 0, 1 GiB
 * of 4 KiB pages; the second (DDW) window at 2^59 when the guest creates it through RTAS.
 *
 * <p>When a {@link KvmTables} is given, every window's table is also made in KVM before its region
 * appears (the VFIO listener links them), and closed after it goes.
 *
 * <p>Thread rules: window changes under this object's monitor, from the vCPU thread (RTAS) or the
 * machine's control thread.
 */
public final class SpaprPhb implements AutoCloseable {
    public static final long BUID_BASE = 0x800000020000000L;
    public static final long MMIO_WINDOW_BASE = 0x2000_0000_0000L;
    public static final long MMIO_WINDOW_SIZE = 1L << 32;
    public static final long DMA_WIN_ADDR = 0;
    public static final long DMA_WIN_SIZE = 1L << 30;
    public static final long DMA64_WIN_ADDR = 1L << 59;
    public static final int MAX_WINDOWS = 2;

    /** Makes and drops KVM's copy of a window's table (KVM_CREATE_SPAPR_TCE_64), or nothing. */
    public interface KvmTables {
        org.jvmm.kvm.spapr.KvmSpaprTceTable create(long liobn, int pageShift, long busOffset, long entries);
    }

    private final int index;
    private final AddressSpace systemMemory;
    private final ContainerRegion dmaRoot = new ContainerRegion("phb-dma", Long.MAX_VALUE);
    private final AddressSpace dma;
    private final ContainerRegion mmio;
    private final PciBus bus;
    private final SpaprTceTable[] tables = new SpaprTceTable[MAX_WINDOWS];
    private final long pageSizeMask;
    private final boolean ddwEnabled;
    private KvmTables kvm;
    private boolean closed;

    public SpaprPhb(int index, AddressSpace systemMemory, ContainerRegion systemRoot, long pageSizeMask, boolean ddwEnabled) {
        this.index = index;
        this.systemMemory = systemMemory;
        this.pageSizeMask = pageSizeMask;
        this.ddwEnabled = ddwEnabled;
        this.dma = new AddressSpace("phb" + index + "-dma", dmaRoot, ByteOrder.BIG_ENDIAN);
        this.mmio = new ContainerRegion("phb" + index + "-mmio", MMIO_WINDOW_SIZE);
        systemRoot.addSubregion(MMIO_WINDOW_BASE + index * MMIO_WINDOW_SIZE, mmio);
        this.bus = new PciBus("phb" + index, mmio, new ContainerRegion("phb" + index + "-io", 1 << 16));
        for (int w = 0; w < MAX_WINDOWS; w++) {
            tables[w] = new SpaprTceTable(liobn(index, w), systemMemory);
        }
    }

    /** SPAPR_PCI_LIOBN(index, window). */
    public static long liobn(int index, int window) {
        return 0x8000_0000L | (long) index << 8 | window;
    }

    public int index() {
        return index;
    }

    public long buid() {
        return BUID_BASE + index;
    }

    public PciBus bus() {
        return bus;
    }

    /** Where PCI bus address 0 of the MMIO window is in guest memory. */
    public long mmioWindowBase() {
        return MMIO_WINDOW_BASE + index * MMIO_WINDOW_SIZE;
    }

    /** The address space devices' DMA goes through (the TCE windows). */
    public AddressSpace dmaAddressSpace() {
        return dma;
    }

    public long pageSizeMask() {
        return pageSizeMask;
    }

    public boolean ddwEnabled() {
        return ddwEnabled;
    }

    /** Uses KVM's TCE tables for every window enabled from now on (the in-kernel H_PUT_TCE path). */
    public synchronized void useKvmTables(KvmTables kvm) {
        this.kvm = kvm;
    }

    public SpaprTceTable table(int window) {
        return tables[window];
    }

    /** The PHB's table for {@code liobn}, or null. */
    public SpaprTceTable tableByLiobn(long liobn) {
        for (SpaprTceTable t : tables) {
            if (t.liobn() == liobn) {
                return t;
            }
        }
        return null;
    }

    public synchronized List<SpaprTceTable> tables() {
        return List.of(tables);
    }

    /** spapr_phb_get_active_win_num. */
    public synchronized int activeWindows() {
        int n = 0;
        for (SpaprTceTable t : tables) {
            if (t.enabled()) {
                n++;
            }
        }
        return n;
    }

    /** spapr_phb_get_free_liobn: the LIOBN of the first disabled table, or 0. */
    public synchronized long freeLiobn() {
        for (SpaprTceTable t : tables) {
            if (!t.enabled()) {
                return t.liobn();
            }
        }
        return 0;
    }

    /** Machine reset (spapr_phb_dma_reset): every window off, then the default 32-bit window on. */
    public synchronized void resetDma() {
        for (SpaprTceTable t : tables) {
            if (t.enabled()) {
                disable(t);
            }
        }
        enable(tables[0], 12, DMA_WIN_ADDR, DMA_WIN_SIZE >>> 12);
    }

    /** Enables {@code t} as a window and places its region in the DMA address space. */
    public synchronized void enable(SpaprTceTable t, int pageShift, long busOffset, long entries) {
        IommuRegion r = t.enable(pageShift, busOffset, entries);
        if (kvm != null) {
            t.attachKvm(kvm.create(t.liobn(), pageShift, busOffset, entries));
        }
        dmaRoot.addSubregion(busOffset, r);
    }

    /** Removes {@code t}'s region (the VFIO listener removes the host window) and disables it. */
    public synchronized void disable(SpaprTceTable t) {
        IommuRegion r = t.region();
        if (r != null) {
            dmaRoot.removeSubregion(r);
        }
        org.jvmm.kvm.spapr.KvmSpaprTceTable k = t.kvmTable();
        t.disable();
        if (k != null) {
            k.close();
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            throw new IllegalStateException("PHB " + index + " closed twice");
        }
        closed = true;
        List<SpaprTceTable> on = new ArrayList<>();
        for (SpaprTceTable t : tables) {
            if (t.enabled()) {
                on.add(t);
            }
        }
        for (SpaprTceTable t : on) {
            disable(t);
        }
        dma.close();
    }

    @Override
    public String toString() {
        return "SpaprPhb[" + index + ", buid 0x" + Long.toHexString(buid()) + ", windows " + List.of(tables) + "]";
    }
}
