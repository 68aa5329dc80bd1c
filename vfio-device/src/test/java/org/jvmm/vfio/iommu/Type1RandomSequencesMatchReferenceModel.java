package org.jvmm.vfio.iommu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.vfio.uapi.VfioUapi.*;

import org.jvmm.host.kernel.HostKernel;
import org.jvmm.host.memory.LockedMemoryAccount;
import java.util.Comparator;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.jvmm.address.HostAddress;
import org.jvmm.address.Iova;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.testing.SimpleFunction;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioGroup;

/**
 * Property: any sequence of MAP_DMA / UNMAP_DMA (including bad sizes, misalignment, overlaps,
 * splits, UNMAP_ALL, foreign vaddrs, the entry limit and the locked-memory limit) gives the same
 * result or errno, the same mapping set and the same locked-memory count in {@link Type1Iommu}
 * as in {@link Type1ReferenceModel}, for v1 and v2.
 */
class Type1RandomSequencesMatchReferenceModel {
    private static final long PAGE = 4096;
    private static final long RAM = 64 * PAGE;
    private static final int ENTRY_LIMIT = 5;
    private static final long MEMLOCK = 12 * PAGE;

    sealed interface Op {
    }

    record Map(long vaddrOffset, long iova, long size) implements Op {
    }

    record Unmap(long iova, long size, boolean all) implements Op {
    }

    @Provide
    Arbitrary<Op> op() {
        Arbitrary<Long> page = Arbitraries.longs().between(0, 40).map(p -> p * PAGE);
        Arbitrary<Long> iova = Arbitraries.oneOf(page, page, page, page,
                Arbitraries.of(0xfedf_f000L, 0xfee0_0000L, 0xfeef_f000L, (1L << 48) - PAGE, -PAGE),
                page.map(p -> p + 0x800));
        Arbitrary<Long> size = Arbitraries.oneOf(Arbitraries.longs().between(0, 8).map(p -> p * PAGE),
                Arbitraries.longs().between(1, 3).map(p -> p * PAGE), Arbitraries.longs().between(1, 3).map(p -> p * PAGE),
                Arbitraries.of(0x800L, 2 * PAGE + 4));
        Arbitrary<Long> vaddr = Arbitraries.oneOf(Arbitraries.longs().between(0, 63).map(p -> p * PAGE),
                Arbitraries.of(-PAGE, RAM, RAM - PAGE, 0x10L, -64 * PAGE));
        Arbitrary<Op> map = Combinators.combine(vaddr, iova, size).as(Map::new);
        Arbitrary<Op> unmap = Combinators.combine(iova, size, Arbitraries.integers().between(0, 15)).as((i, s, a) -> a == 0
                ? new Unmap(0, 0, true) : a == 1 ? new Unmap(i, s, true) : new Unmap(i, s, false));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, map), net.jqwik.api.Tuple.of(2, unmap));
    }

    @Property(tries = 300)
    void type1v2MatchesTheModel(@ForAll @Size(min = 10, max = 80) List<@net.jqwik.api.From("op") Op> ops) {
        run(true, ops);
    }

    @Property(tries = 300)
    void type1v1MatchesTheModel(@ForAll @Size(min = 10, max = 80) List<@net.jqwik.api.From("op") Op> ops) {
        run(false, ops);
    }

    private static void run(boolean v2, List<Op> ops) {
        HostMemoryRegistry memory = new HostMemoryRegistry();
        LockedMemoryAccount memlock = new LockedMemoryAccount(MEMLOCK, false);
        HostPciPlatform p = HostKernel.builder().memory(memory).memlock(memlock).iommuDriver(new Type1Driver(ENTRY_LIMIT))
                .endpoint("0000:00:04.0", SimpleFunction.of(0x1234, 0x9, 0xff0000), null, true).build();
        p.newId("vfio-pci", 0x1234, 0x9);
        try (HostMapping ram = memory.allocate("ram", RAM); VfioContainer c = VfioContainer.open(p);
                VfioGroup g = VfioGroup.open(p, p.iommuGroupOf(PciAddress.parse("0000:00:04.0")))) {
            g.setContainer(c);
            c.setIommu(v2 ? VFIO_TYPE1v2_IOMMU : VFIO_TYPE1_IOMMU);
            Type1Iommu t = (Type1Iommu) c.backend();
            long base = ram.address().value();
            Type1ReferenceModel model = new Type1ReferenceModel(v2, ENTRY_LIMIT, MEMLOCK, base, RAM);
            int step = 0;
            for (Op op : ops) {
                Type1ReferenceModel.Outcome expected;
                Type1ReferenceModel.Outcome actual;
                switch (op) {
                    case Map m -> {
                        expected = model.map(base + m.vaddrOffset(), m.iova(), m.size());
                        actual = attempt(() -> {
                            c.mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
                                    HostAddress.of(base + m.vaddrOffset()), Iova.of(m.iova()), m.size()));
                            return 0L;
                        });
                    }
                    case Unmap u -> {
                        expected = model.unmap(u.iova(), u.size(), u.all());
                        actual = attempt(() -> c.unmapDma(new DmaUnmap(u.all() ? VFIO_DMA_UNMAP_FLAG_ALL : 0,
                                Iova.of(u.iova()), u.size())).size());
                    }
                }
                String where = "step " + step + " " + op + " (" + (v2 ? "v2" : "v1") + ")";
                assertEquals(expected, actual, where);
                List<Type1ReferenceModel.Map> want = model.maps.stream()
                        .sorted(Comparator.comparing(Type1ReferenceModel.Map::iova, Long::compareUnsigned)).toList();
                List<Type1ReferenceModel.Map> got = t.mappings().stream()
                        .map(d -> new Type1ReferenceModel.Map(d.iova().value(), d.size(), d.vaddr().value())).toList();
                assertEquals(want, got, where);
                assertEquals(model.locked, memlock.lockedBytes(), where);
                step++;
            }
        }
        assertEquals(0, memlock.lockedBytes());
    }

    private interface Call {
        long run();
    }

    private static Type1ReferenceModel.Outcome attempt(Call call) {
        try {
            return Type1ReferenceModel.Outcome.ok(call.run());
        } catch (ErrnoException e) {
            return Type1ReferenceModel.Outcome.err(e.errno());
        }
    }

}
