package org.jvmm.memory;

/**
 * Learns of every change to an {@link AddressSpace}'s flat view (QEMU's MemoryListener). On each
 * commit the address space calls, in this order: {@code begin} on every listener; {@code regionDel}
 * for each range that went away, listeners in descending priority; {@code regionAdd} for each new
 * range, listeners in ascending priority; then {@code commit}. A listener registered later is told
 * of every range already present (begin, regionAdd..., commit); one unregistered is told of their
 * removal the same way.
 *
 * <p>Called with the topology lock held, never concurrently. A listener must not change the
 * memory tree from a callback.
 */
public interface MemoryListener {

    /** Order among listeners: lower first for adds, last for deletes. The VFIO listener uses 10. */
    default int priority() {
        return 0;
    }

    default void begin() {
    }

    default void regionAdd(MemoryRegionSection section) {
    }

    default void regionDel(MemoryRegionSection section) {
    }

    default void commit() {
    }
}
