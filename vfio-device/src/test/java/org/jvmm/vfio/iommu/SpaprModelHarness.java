package org.jvmm.vfio.iommu;

import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.LongSupplier;
import org.jvmm.address.HostAddress;
import org.jvmm.address.Iova;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.pci.host.spapr.PartitionableEndpoint;
import org.jvmm.pci.host.spapr.PnvPhbConfig;
import org.jvmm.pci.host.spapr.PreregisteredMemory;
import org.jvmm.pci.host.spapr.TceTable;
import org.jvmm.testing.SpaprRig;
import org.jvmm.iommu.FaultReason;

/**
 * One episode of the sPAPR model test: a fresh container (v1 or v2) with one group on a small PHB
 * (a 64-page 32-bit window, DDW with 4K/64K/16M pages), 48 MiB of process memory, and
 * {@link SpaprTceReferenceModel} beside it. {@link #step} runs one operation on both and returns
 * a description of the first difference (result or errno, windows, every TCE, registered regions
 * and their use counts, locked memory, and what a device DMA reads or writes), or null.
 * {@link #finish} closes the container and checks that the PE went back to the platform and the
 * locked-memory count to zero. The operations come from {@link #next}, a plain function of a
 * {@link Random}, shared by the jqwik property and the long run ({@link ModelRun}).
 */
final class SpaprModelHarness {
    static final PnvPhbConfig PHB = new PnvPhbConfig(SpaprTceReferenceModel.TCE32_START, SpaprTceReferenceModel.TCE32_SIZE,
            SpaprTceReferenceModel.PGSIZES, 2, SpaprTceReferenceModel.MAX_LEVELS, SpaprTceReferenceModel.DDW_START, true);
    static final long RAM = 48L << 20;
    private static final long M16 = 1L << 24;
    private static final long[] PAGES = {1L << 12, 1L << 16, 1L << 24};

    sealed interface Op {
    }

    record Enable() implements Op {
    }

    record Disable() implements Op {
    }

    /** ua is relative to the first 16 MiB boundary inside RAM; wrap means the absolute vaddr 2^64 - 4 KiB. */
    record Register(long uaOffset, long size, boolean wrap) implements Op {
    }

    record Unregister(long uaOffset, long size) implements Op {
    }

    record Create(int pageShift, long windowSize, int levels) implements Op {
    }

    record Remove(long start) implements Op {
    }

    record Map(int flags, long uaOffset, long iova, long size) implements Op {
    }

    record Unmap(int flags, long iova, long size) implements Op {
    }

    /** An 8-byte device DMA at iova, into memory (write) or out of it. */
    record Dma(long iova, boolean write) implements Op {
    }

    private static <T> T pick(Random r, T[] a) {
        return a[r.nextInt(a.length)];
    }

    /** An IOMMU page size: 4 KiB half the time (the default window's), else 64 KiB or 16 MiB. */
    private static long page(Random r) {
        int k = r.nextInt(10);
        return PAGES[k < 5 ? 0 : k < 8 ? 1 : 2];
    }

    /** A bus address: mostly the first pages of window slot 0 or 1 in pages of size {@code p}, sometimes anywhere. */
    private static long iova(Random r, long p) {
        int k = r.nextInt(20);
        if (k == 0) {
            return new long[] {1L << 40, -4096L, SpaprTceReferenceModel.TCE32_SIZE, (1L << 59) - 4096, 1L << 32}[r.nextInt(5)];
        }
        long base = r.nextInt(3) < 2 ? 0 : SpaprTceReferenceModel.DDW_START;
        long at = base + p * (r.nextInt(4) == 0 ? r.nextInt(300) : r.nextInt(10));
        return k == 1 ? at + 0x800 : at;
    }

    private static long size(Random r, long p) {
        int k = r.nextInt(12);
        if (k == 0) {
            return new long[] {0, 0x800, -4096L, 1L << 40}[r.nextInt(4)];
        }
        return p * (1 + r.nextInt(k < 6 ? 2 : 5));
    }

    private static long uaOffset(Random r, long p) {
        int k = r.nextInt(16);
        if (k == 0) {
            return new long[] {-(32L << 20), 64L << 20, 0x800, 32L << 20}[r.nextInt(4)];
        }
        return p == M16 ? M16 * r.nextInt(2) : p * r.nextInt(p == 4096 ? 512 : 64);
    }

    /** Mostly {@code p}; one time in five some other page size, to mix windows and requests. */
    private static long or(Random r, long p) {
        return r.nextInt(5) == 0 ? page(r) : p;
    }

    private static final long[] REGION_OFFSETS = {0, 1L << 20, 2L << 20, 4L << 20, M16, 0x10000, 0x30000};
    private static final long[] REGION_SIZES = {0x10000, 1L << 20, 2L << 20, M16, 2 * M16, 0x1000};

    /** The operation generator: a plain function of {@code r}, so a seed replays a run. */
    static Op next(Random r) {
        int k = r.nextInt(100);
        if (k < 30) {
            int flags = r.nextInt(8) == 0 ? 0 : 1 + r.nextInt(3);
            long p = page(r);
            return new Map(flags, uaOffset(r, or(r, p)), iova(r, or(r, p)), size(r, or(r, p)));
        }
        if (k < 42) {
            long p = page(r);
            return new Unmap(r.nextInt(30) == 0 ? 1 : 0, iova(r, or(r, p)), r.nextInt(8) == 0 ? 0 : size(r, or(r, p)));
        }
        if (k < 60) {
            long at = iova(r, page(r)) + 8L * r.nextInt(4);
            return new Dma(at & ~7L, r.nextBoolean());
        }
        if (k < 70) {
            if (r.nextInt(12) == 0) {
                return new Register(0, 0x2000, true);
            }
            long off = r.nextInt(10) == 0 ? uaOffset(r, page(r)) : REGION_OFFSETS[r.nextInt(REGION_OFFSETS.length)];
            long sz = r.nextInt(10) == 0 ? size(r, page(r)) : REGION_SIZES[r.nextInt(REGION_SIZES.length)];
            return new Register(off, sz, false);
        }
        if (k < 76) {
            long off = r.nextInt(10) == 0 ? uaOffset(r, page(r)) : REGION_OFFSETS[r.nextInt(REGION_OFFSETS.length)];
            long sz = r.nextInt(10) == 0 ? size(r, page(r)) : REGION_SIZES[r.nextInt(REGION_SIZES.length)];
            return new Unregister(off, sz);
        }
        if (k < 84) {
            int shift = r.nextInt(10) == 0 ? new int[] {13, 20, 21, 0, 64}[r.nextInt(5)] : new int[] {12, 16, 24}[r.nextInt(3)];
            long ps = 1L << Math.min(shift, 63);
            long ws = r.nextInt(8) == 0
                    ? new long[] {0, ps >>> 1, 3 * ps, ps << 27, -4096L, 1L << 63}[r.nextInt(6)]
                    : ps << (r.nextInt(6) == 0 ? r.nextInt(11) : 3 + r.nextInt(6));
            int levels = r.nextInt(10) == 0 ? new int[] {0, 6, -1}[r.nextInt(3)] : 1 + r.nextInt(5);
            return new Create(shift, ws, levels);
        }
        if (k < 88) {
            long start = r.nextInt(4) == 0 ? 0 : r.nextBoolean() ? SpaprTceReferenceModel.DDW_START : iova(r, page(r));
            return new Remove(start);
        }
        if (k < 96) {
            return new Enable();
        }
        return new Disable();
    }

    private final boolean v2;
    private final SpaprRig rig;
    private final HostMapping ram;
    private final long aligned;
    private final SpaprTceIommu iommu;
    private final PartitionableEndpoint pe;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment dmaBuffer = arena.allocate(8);
    final SpaprTceReferenceModel model;
    private final Random values;
    private int steps;
    /** Outcome counts by operation ("Map ok", "Map EINVAL", ...), when a long run wants them. */
    java.util.Map<String, Long> stats;

    private void count(Op op, Object outcome) {
        if (stats != null) {
            stats.merge(op.getClass().getSimpleName() + " " + (outcome == null ? "ok" : outcome), 1L, Long::sum);
        }
    }

    SpaprModelHarness(boolean v2, long memlockLimit, long valueSeed) {
        this.v2 = v2;
        this.rig = new SpaprRig(PHB, memlockLimit).open(v2 ? VFIO_SPAPR_TCE_v2_IOMMU : VFIO_SPAPR_TCE_IOMMU);
        this.ram = rig.memory.allocate("model-ram", RAM);
        long base = ram.address().value();
        this.aligned = (base + M16 - 1) & -M16;
        this.iommu = rig.iommu();
        this.pe = rig.pe();
        this.model = new SpaprTceReferenceModel(v2, memlockLimit, base, RAM);
        this.values = new Random(valueSeed);
    }

    private SpaprTceReferenceModel.Outcome attempt(LongSupplier call) {
        try {
            return SpaprTceReferenceModel.Outcome.ok(call.getAsLong());
        } catch (ErrnoException e) {
            return SpaprTceReferenceModel.Outcome.err(e.errno());
        }
    }

    /** Runs {@code op} on both; null when they agree, else what differs. */
    String step(Op op) {
        try {
            String d = apply(op);
            if (d == null && (++steps % 8 == 0 || !(op instanceof Dma || op instanceof Map || op instanceof Unmap))) {
                d = compareState();
            }
            return d;
        } catch (RuntimeException | AssertionError e) {
            return "escape: " + e;
        }
    }

    private String apply(Op op) {
        SpaprTceReferenceModel.Outcome want;
        SpaprTceReferenceModel.Outcome got;
        switch (op) {
            case Enable e -> {
                want = model.enable();
                got = attempt(() -> {
                    rig.container.iommuEnable();
                    return 0;
                });
            }
            case Disable d -> {
                want = model.disable();
                got = attempt(() -> {
                    rig.container.iommuDisable();
                    return 0;
                });
            }
            case Register g -> {
                long ua = g.wrap() ? -4096L : aligned + g.uaOffset();
                long size = g.size();
                want = model.register(ua, size);
                got = attempt(() -> {
                    rig.container.spaprRegisterMemory(SpaprRegisterMemory.of(new HostAddress(ua), size));
                    return 0;
                });
            }
            case Unregister u -> {
                long ua = aligned + u.uaOffset();
                want = model.unregister(ua, u.size());
                got = attempt(() -> {
                    rig.container.spaprUnregisterMemory(SpaprRegisterMemory.of(new HostAddress(ua), u.size()));
                    return 0;
                });
            }
            case Create c -> {
                want = model.createWindow(c.pageShift(), c.windowSize(), c.levels());
                got = attempt(() -> rig.container.spaprTceCreate(SpaprTceCreate.of(c.pageShift(), c.windowSize(), c.levels())).value());
            }
            case Remove rm -> {
                want = model.removeWindow(rm.start());
                got = attempt(() -> {
                    rig.container.spaprTceRemove(SpaprTceRemove.of(new Iova(rm.start())));
                    return 0;
                });
            }
            case Map m -> {
                long ua = aligned + m.uaOffset();
                want = model.map(m.flags(), ua, m.iova(), m.size());
                got = attempt(() -> {
                    rig.container.mapDma(new DmaMap(m.flags(), new HostAddress(ua), new Iova(m.iova()), m.size()));
                    return 0;
                });
                count(op, want.errno());
                if (want.equals(got) && want.errno() == null) {
                    return compareEntries(m.iova(), m.size());
                }
            }
            case Unmap u -> {
                want = model.unmap(u.flags(), u.iova(), u.size());
                got = attempt(() -> {
                    rig.container.unmapDma(new DmaUnmap(u.flags(), new Iova(u.iova()), u.size()));
                    return 0;
                });
                count(op, want.errno());
                if (want.equals(got) && want.errno() == null) {
                    return compareEntries(u.iova(), u.size());
                }
            }
            case Dma d -> {
                return dma(d);
            }
        }
        count(op, want.errno());
        return want.equals(got) ? null : "result: model " + want + ", implementation " + got;
    }

    private String dma(Dma d) {
        long tce = model.tceAt(d.iova());
        if (tce == -1) {
            count(d, "outside every window");
            // outside every window: a real DMA would freeze the PE; translation must miss instead
            var e = pe.translate(new Iova(d.iova()), d.write() ? org.jvmm.iommu.AccessKind.WRITE : org.jvmm.iommu.AccessKind.READ);
            return e.perm() == org.jvmm.iommu.IommuPermission.NONE ? null : "translate outside every window gave " + e;
        }
        long need = d.write() ? TceTable.TCE_WRITE : TceTable.TCE_READ;
        FaultReason want = (tce & 3) == 0 ? FaultReason.UNMAPPED : (tce & need) == 0 ? FaultReason.PERMISSION : null;
        long host = 0;
        long value = values.nextLong();
        MemorySegment mem = ram.segment();
        if (want == null) {
            long mask = model.pageSizeAt(d.iova()) - 1;
            host = (tce & ~mask) + (d.iova() & mask) - ram.address().value();
            if (d.write()) {
                dmaBuffer.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, value);
            } else {
                mem.set(ValueLayout.JAVA_LONG_UNALIGNED, host, value);
            }
        }
        count(d, want);
        FaultReason got = pe.transfer(new Iova(d.iova()), dmaBuffer, d.write());
        if (got != want) {
            return "DMA fault: model " + want + ", implementation " + got;
        }
        if (want == null) {
            long seen = d.write() ? mem.get(ValueLayout.JAVA_LONG_UNALIGNED, host) : dmaBuffer.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
            if (seen != value) {
                return "DMA moved 0x" + Long.toHexString(seen) + ", the model's page holds 0x" + Long.toHexString(value);
            }
        }
        return pe.freezeCount() == 0 ? null : "PE froze: " + pe.lastFreeze();
    }

    private String compareEntries(long iova, long size) {
        for (int i = 0; i < 2; i++) {
            SpaprTceReferenceModel.Window w = model.windows[i];
            if (w != null && w.holds(iova)) {
                TceTable t = iommu.table(i);
                if (t == null) {
                    return "window " + i + " missing";
                }
                long first = (iova - w.busStart) >>> w.shift;
                long pages = Math.min(size >>> w.shift, w.entries - first);
                for (long e = first; e < first + pages; e++) {
                    long got = t.get(t.offset() + e);
                    if (got != w.tce[(int) e]) {
                        return "window " + i + " entry " + e + ": model 0x" + Long.toHexString(w.tce[(int) e])
                                + ", implementation 0x" + Long.toHexString(got);
                    }
                }
            }
        }
        return null;
    }

    /** Every observable piece of state, compared with the model. */
    String compareState() {
        if (iommu.enabled() != model.enabled) {
            return "enabled: model " + model.enabled + ", implementation " + iommu.enabled();
        }
        if (v2 && iommu.defaultWindowPending() != model.defaultPending) {
            return "default window pending: model " + model.defaultPending + ", implementation " + iommu.defaultWindowPending();
        }
        for (int i = 0; i < 2; i++) {
            SpaprTceReferenceModel.Window w = model.windows[i];
            TceTable t = iommu.table(i);
            if (pe.window(i) != t) {
                return "PE window " + i + " is " + pe.window(i) + ", the container's table is " + t;
            }
            if ((w == null) != (t == null)) {
                return "window " + i + ": model " + (w == null ? "none" : "present") + ", implementation " + t;
            }
            if (w == null) {
                continue;
            }
            if (t.pageShift() != w.shift || t.busStart().value() != w.busStart || t.size() != w.entries || t.levels() != w.levels) {
                return "window " + i + ": model shift " + w.shift + " start 0x" + Long.toHexString(w.busStart) + " entries "
                        + w.entries + " levels " + w.levels + ", implementation " + t + " entries " + t.size();
            }
            for (int e = 0; e < w.entries; e++) {
                long got = t.get(t.offset() + e);
                if (got != w.tce[e]) {
                    return "window " + i + " entry " + e + ": model 0x" + Long.toHexString(w.tce[e]) + ", implementation 0x"
                            + Long.toHexString(got);
                }
            }
        }
        List<String> want = new ArrayList<>();
        for (SpaprTceReferenceModel.Region r : model.regions) {
            want.add(Long.toHexString(r.ua()) + "+" + Long.toHexString(r.size()) + " used " + model.usesOf(r));
        }
        List<String> got = new ArrayList<>();
        for (PreregisteredMemory.Region r : iommu.registeredMemory()) {
            got.add(Long.toHexString(r.address().value()) + "+" + Long.toHexString(r.size()) + " used " + r.mappedCount());
        }
        want.sort(Comparator.naturalOrder());
        got.sort(Comparator.naturalOrder());
        if (!want.equals(got)) {
            return "registered memory: model " + want + ", implementation " + got;
        }
        if (rig.memlock.lockedBytes() != model.locked || iommu.chargedBytes() != model.locked) {
            return "locked memory: model 0x" + Long.toHexString(model.locked) + ", implementation 0x"
                    + Long.toHexString(rig.memlock.lockedBytes()) + " (container charged 0x" + Long.toHexString(iommu.chargedBytes()) + ")";
        }
        return null;
    }

    /** Compares the state, closes everything and checks the teardown; null when all is well. */
    String finish() {
        String d;
        try {
            d = compareState();
            model.release();
            rig.close();
            if (d == null && rig.memlock.lockedBytes() != 0) {
                d = "locked memory after close: 0x" + Long.toHexString(rig.memlock.lockedBytes());
            }
            if (d == null && model.locked != 0) {
                d = "model's locked memory after close: 0x" + Long.toHexString(model.locked);
            }
            if (d == null && pe.owner() != PartitionableEndpoint.PLATFORM) {
                d = "PE still owned by " + pe.owner() + " after close";
            }
            if (d == null && rig.phb.preregistered().regionCount() != 0) {
                d = rig.phb.preregistered().regionCount() + " pre-registered region(s) left after close";
            }
        } catch (RuntimeException | AssertionError e) {
            d = "escape at close: " + e;
        } finally {
            ram.close();
            arena.close();
        }
        return d;
    }
}
