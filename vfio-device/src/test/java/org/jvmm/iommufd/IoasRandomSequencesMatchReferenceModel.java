package org.jvmm.iommufd;

import static org.jvmm.iommufd.IommufdUapi.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.jvmm.host.ErrnoException;
import org.jvmm.iommufd.IommufdStructs.IoasMap;
import org.jvmm.iommufd.IommufdStructs.IoasUnmap;
import org.jvmm.testing.IommufdRig;

/**
 * Property: any sequence of IOAS MAP (fixed and automatic IOVA, bad lengths, misalignment,
 * overlaps, foreign user addresses, the locked-memory limit) and UNMAP (splits, holes, ranges
 * over several areas, unmap-all, overflow) gives the same result or errno, the same mapping set
 * and the same locked-memory count in {@link Ioas} as in {@link IoasReferenceModel}, with and
 * without a domain (the TYPE1 property's counterpart).
 */
class IoasRandomSequencesMatchReferenceModel {
    private static final long RAM = 1 << 20;
    private static final long MEMLOCK = 0x40000;

    /** One operation, with the user address as an offset into the rig's memory (or a foreign address). */
    record Op(boolean map, boolean fixed, long iova, long len, long vaOffset, boolean foreign, boolean write) {
    }

    private static final long[] LENGTHS = {0, 0x800, 0x1000, 0x1000, 0x2000, 0x3000, 0x8000, 0x10000, -1L, 1L << 62};

    static Op next(Random r) {
        boolean map = r.nextInt(10) < 6;
        long iova = r.nextInt(20) == 0 ? -1L - r.nextInt(3) * 0x1000L : (long) r.nextInt(0x80) * 0x800;
        if (r.nextInt(30) == 0) {
            iova = (1L << 48) - 0x1000;
        }
        long len = LENGTHS[r.nextInt(LENGTHS.length)];
        if (!map && r.nextInt(8) == 0) {
            return new Op(false, true, 0, -1L, 0, false, false);
        }
        return new Op(map, r.nextInt(5) != 0, iova, len, (long) r.nextInt(0x1e0) * 0x800, r.nextInt(25) == 0, r.nextBoolean());
    }

    @Provide
    Arbitrary<Op> op() {
        return Arbitraries.randomValue(IoasRandomSequencesMatchReferenceModel::next);
    }

    @Property(tries = 100)
    void withoutADomainMatchesTheModel(@ForAll @Size(min = 10, max = 40) List<@From("op") Op> ops) {
        run(false, ops);
    }

    @Property(tries = 100)
    void withADomainMatchesTheModel(@ForAll @Size(min = 10, max = 40) List<@From("op") Op> ops) {
        run(true, ops);
    }

    private static void run(boolean domain, List<Op> ops) {
        try (IommufdRig rig = IommufdRig.open(MEMLOCK)) {
            Iommufd fd = rig.iommufd;
            int ioas = fd.ioasAlloc();
            if (domain) {
                fd.hwptAlloc(0, rig.devId, ioas);
            }
            IoasReferenceModel model = new IoasReferenceModel(domain, rig.va(0), RAM, MEMLOCK);
            int step = 0;
            for (Op op : ops) {
                long va = op.foreign() ? 0x1000 : rig.va(op.vaOffset());
                long got;
                long want;
                if (op.map()) {
                    int flags = IOMMU_IOAS_MAP_READABLE | (op.write() ? IOMMU_IOAS_MAP_WRITEABLE : 0)
                            | (op.fixed() ? IOMMU_IOAS_MAP_FIXED_IOVA : 0);
                    got = call(() -> fd.ioasMap(IoasMap.of(flags, ioas, va, op.len(), op.iova())).iova());
                    want = model.map(op.fixed(), op.iova(), op.len(), va, true, op.write());
                } else {
                    got = call(() -> fd.ioasUnmap(IoasUnmap.of(ioas, op.iova(), op.len())).length());
                    want = model.unmap(op.iova(), op.len());
                }
                String at = "step " + step + " " + op;
                assertEquals(want, got, at);
                List<Ioas.Mapping> expect = new ArrayList<>();
                for (IoasReferenceModel.Area a : model.areas) {
                    expect.add(new Ioas.Mapping(a.iova(), a.len(), a.va(), a.r(), a.w()));
                }
                assertEquals(expect, fd.ioas(ioas).mappings(), at);
                assertEquals(model.locked, rig.memlock.lockedBytes(), at);
                step++;
            }
        }
    }

    private interface Call {
        long run();
    }

    private static long call(Call c) {
        try {
            return c.run();
        } catch (ErrnoException e) {
            return -e.errnoNumber();
        }
    }
}
