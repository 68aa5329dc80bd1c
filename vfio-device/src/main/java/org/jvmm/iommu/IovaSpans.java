package org.jvmm.iommu;

/**
 * A set of non-overlapping IOVA spans keyed by their first byte: the mapping set TYPE1
 * ({@code org.jvmm.vfio.iommu.Type1Iommu}) and an iommufd IOAS ({@code org.jvmm.iommufd.Ioas})
 * both keep, with the lookups they share. All bounds are unsigned and inclusive, so a span may end
 * at the top of the 64-bit space (its {@code iova + length} wraps to 0).
 *
 * <p>What stays with each owner is where the two differ: which overlaps a MAP refuses and with
 * which errno, how UNMAP treats a span the request straddles (TYPE1v1 skips it, TYPE1v2 is EINVAL,
 * iommufd is ENOENT after unmapping what came before), and vfio_find_dma's zero-size form.
 *
 * <p>The caller never puts a span touching another. Not thread-safe, as {@link IovaTree}.
 */
public final class IovaSpans<V extends IovaSpans.Span> extends IovaTree<V> {

    /** One span: [iova, iova + length - 1], length non-zero; owners add what they map it to. */
    public abstract static class Span {
        /** The first byte. */
        public final long iova;
        /** Bytes covered; {@code iova + length} may wrap to 0 (the span reaches 2^64). */
        public final long length;

        protected Span(long iova, long length) {
            this.iova = iova;
            this.length = length;
        }

        /** The last byte (inclusive). */
        public final long last() {
            return iova + length - 1;
        }

        /** Whether {@code a} lies inside (unsigned). */
        public final boolean contains(long a) {
            return Long.compareUnsigned(a - iova, length) < 0;
        }
    }

    /** Adds {@code span}, which must touch no span already here. */
    public void add(V span) {
        put(span.iova, span);
    }

    /** The span holding {@code a}, or null. */
    public V containing(long a) {
        V s = floor(a);
        return s != null && s.contains(a) ? s : null;
    }

    /**
     * Some span touching [first, last], or null, in one lookup: spans never overlap, so the one
     * starting last at or before {@code last} decides.
     */
    public V anyOverlap(long first, long last) {
        V s = floor(last);
        return s != null && Long.compareUnsigned(s.last(), first) >= 0 ? s : null;
    }

    /** The lowest span touching [first, last], or null. */
    public V firstOverlap(long first, long last) {
        V s = containing(first);
        if (s != null) {
            return s;
        }
        s = higher(first);
        return s != null && Long.compareUnsigned(s.iova, last) <= 0 ? s : null;
    }
}
