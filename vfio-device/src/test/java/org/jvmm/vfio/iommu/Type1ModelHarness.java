package org.jvmm.vfio.iommu;

import org.jvmm.host.kernel.HostKernel;
import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.LongSupplier;
import org.jvmm.address.HostAddress;
import org.jvmm.address.Iova;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.LockedMemoryAccount;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.testing.SimpleFunction;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioGroup;

/**
 * One episode of the TYPE1 model test: a fresh TYPE1 (v1 or v2) container with one group, 64
 * pages of process memory, an entry limit of 5 and a locked-memory limit of 12 pages, with
 * {@link Type1ReferenceModel} beside it. {@link #step} runs one MAP_DMA / UNMAP_DMA on both and
 * returns the first difference (result or errno, mapping set, locked memory), or null. The
 * operations come from {@link #next}, a plain function of a {@link Random}, shared by the jqwik
 * property and the long run ({@link ModelRun}).
 */
final class Type1ModelHarness {
    static final long PAGE = 4096;
    static final long RAM = 64 * PAGE;
    static final int ENTRY_LIMIT = 5;
    static final long MEMLOCK = 12 * PAGE;

    sealed interface Op {
    }

    record Map(long vaddrOffset, long iova, long size) implements Op {
    }

    record Unmap(long iova, long size, boolean all) implements Op {
    }

    private static final long[] IOVA_SPECIAL = {0xfedf_f000L, 0xfee0_0000L, 0xfeef_f000L, (1L << 48) - PAGE, -PAGE};
    private static final long[] VADDR_SPECIAL = {-PAGE, RAM, RAM - PAGE, 0x10L, -64 * PAGE};

    private static long iova(Random r) {
        int k = r.nextInt(6);
        long page = r.nextInt(41) * PAGE;
        return k < 4 ? page : k == 4 ? IOVA_SPECIAL[r.nextInt(IOVA_SPECIAL.length)] : page + 0x800;
    }

    private static long size(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> r.nextInt(9) * PAGE;
            case 1, 2 -> (1 + r.nextInt(3)) * PAGE;
            default -> r.nextBoolean() ? 0x800L : 2 * PAGE + 4;
        };
    }

    private static long vaddr(Random r) {
        return r.nextBoolean() ? r.nextInt(64) * PAGE : VADDR_SPECIAL[r.nextInt(VADDR_SPECIAL.length)];
    }

    /** The operation generator: bad sizes, misalignment, overlaps, splits, UNMAP_ALL, foreign vaddrs. */
    static Op next(Random r) {
        if (r.nextInt(5) < 3) {
            return new Map(vaddr(r), iova(r), size(r));
        }
        long i = iova(r);
        long s = size(r);
        int a = r.nextInt(16);
        return a == 0 ? new Unmap(0, 0, true) : a == 1 ? new Unmap(i, s, true) : new Unmap(i, s, false);
    }

    private final boolean v2;
    private final HostMemoryRegistry memory = new HostMemoryRegistry();
    private final LockedMemoryAccount memlock = new LockedMemoryAccount(MEMLOCK, false);
    private final HostMapping ram;
    private final VfioContainer c;
    private final VfioGroup g;
    private final Type1Iommu t;
    private final long base;
    private final Type1ReferenceModel model;
    /** Outcome counts by operation ("Map ok", "Map EINVAL", ...), when a long run wants them. */
    java.util.Map<String, Long> stats;

    Type1ModelHarness(boolean v2) {
        this.v2 = v2;
        HostPciPlatform p = HostKernel.builder().memory(memory).memlock(memlock).iommuDriver(new Type1Driver(ENTRY_LIMIT))
                .endpoint("0000:00:04.0", SimpleFunction.of(0x1234, 0x9, 0xff0000), null, true).build();
        p.newId("vfio-pci", 0x1234, 0x9);
        ram = memory.allocate("ram", RAM);
        c = VfioContainer.open(p);
        g = VfioGroup.open(p, p.iommuGroupOf(PciAddress.parse("0000:00:04.0")));
        g.setContainer(c);
        c.setIommu(v2 ? VFIO_TYPE1v2_IOMMU : VFIO_TYPE1_IOMMU);
        t = (Type1Iommu) c.backend();
        base = ram.address().value();
        model = new Type1ReferenceModel(v2, ENTRY_LIMIT, MEMLOCK, base, RAM);
    }

    private static Type1ReferenceModel.Outcome attempt(LongSupplier call) {
        try {
            return Type1ReferenceModel.Outcome.ok(call.getAsLong());
        } catch (ErrnoException e) {
            return Type1ReferenceModel.Outcome.err(e.errno());
        }
    }

    /** Runs {@code op} on both; null when they agree, else what differs. */
    String step(Op op) {
        try {
            Type1ReferenceModel.Outcome expected;
            Type1ReferenceModel.Outcome actual;
            switch (op) {
                case Map m -> {
                    expected = model.map(base + m.vaddrOffset(), m.iova(), m.size());
                    actual = attempt(() -> {
                        c.mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE, HostAddress.of(base + m.vaddrOffset()),
                                Iova.of(m.iova()), m.size()));
                        return 0L;
                    });
                }
                case Unmap u -> {
                    expected = model.unmap(u.iova(), u.size(), u.all());
                    actual = attempt(() -> c.unmapDma(new DmaUnmap(u.all() ? VFIO_DMA_UNMAP_FLAG_ALL : 0, Iova.of(u.iova()), u.size()))
                            .size());
                }
            }
            if (stats != null) {
                stats.merge(op.getClass().getSimpleName() + (op instanceof Unmap u && u.all() ? " ALL " : " ")
                        + (expected.errno() == null ? "ok" : expected.errno()), 1L, Long::sum);
            }
            if (!expected.equals(actual)) {
                return "result: model " + expected + ", implementation " + actual;
            }
            List<Type1ReferenceModel.Map> want = model.maps.stream()
                    .sorted(Comparator.comparing(Type1ReferenceModel.Map::iova, Long::compareUnsigned)).toList();
            List<Type1ReferenceModel.Map> got = t.mappings().stream()
                    .map(d -> new Type1ReferenceModel.Map(d.iova().value(), d.size(), d.vaddr().value())).toList();
            if (!want.equals(got)) {
                return "mappings: model " + want + ", implementation " + got;
            }
            if (model.locked != memlock.lockedBytes()) {
                return "locked memory: model " + model.locked + ", implementation " + memlock.lockedBytes();
            }
            return null;
        } catch (RuntimeException | AssertionError e) {
            return "escape: " + e + " (" + (v2 ? "v2" : "v1") + ")";
        }
    }

    /** Closes the group, container and memory; null when the locked-memory count is back to zero. */
    String finish() {
        try {
            g.close();
            c.close();
            ram.close();
            return memlock.lockedBytes() == 0 ? null : "locked memory after close: " + memlock.lockedBytes();
        } catch (RuntimeException e) {
            return "escape at close: " + e;
        }
    }
}
