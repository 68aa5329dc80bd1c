package org.jvmm.memory;

import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jvmm.address.Iova;
import org.jvmm.iommu.AccessKind;
import org.jvmm.iommu.IommuPermission;

/**
 * A region whose accesses are translated by an IOMMU into another address space (QEMU's
 * IOMMUMemoryRegion): a device's DMA address space behind a vIOMMU or a sPAPR TCE table.
 *
 * <p>Notifiers register for MAP and/or UNMAP events over an IOVA range; the translator's owner
 * calls {@link #notifyChange} when an entry changes, and {@link #replay} tells one notifier every
 * valid entry (a newly attached VFIO container catches up this way). Notifier registration and
 * delivery may happen on any thread; the list is copy-on-write.
 */
public final class IommuRegion extends MemoryRegion {
    private final IommuTranslator translator;
    private final AddressSpace target;
    private final List<Registration> notifiers = new CopyOnWriteArrayList<>();

    public IommuRegion(String name, long size, IommuTranslator translator, AddressSpace target) {
        super(name, size);
        this.translator = Objects.requireNonNull(translator, "translator");
        this.target = Objects.requireNonNull(target, "target");
    }

    @Override
    public String kind() {
        return "iommu";
    }

    /** Where translated addresses point (usually guest memory). */
    public AddressSpace target() {
        return target;
    }

    public IommuTranslator translator() {
        return translator;
    }

    public IommuTlbEntry translate(long offset, AccessKind access) {
        return translator.translate(offset, access);
    }

    /**
     * Registers {@code notifier} for events of {@code types} whose pages meet [first, last].
     * Closing the returned handle unregisters it.
     */
    public Registration addNotifier(Set<IommuEvent.Type> types, Iova first, Iova last, IommuNotifier notifier) {
        if (types.isEmpty() || Long.compareUnsigned(first.value(), last.value()) > 0) {
            throw new IllegalArgumentException("iommu " + name() + " add notifier: types " + types + ", range ["
                    + first + ", " + last + "] is empty");
        }
        Registration r = new Registration(EnumSet.copyOf(types), first.value(), last.value(), notifier);
        notifiers.add(r);
        return r;
    }

    /** Tells every interested notifier of {@code event} (QEMU's memory_region_notify_iommu). */
    public void notifyChange(IommuEvent event) {
        long start = event.entry().iova().value();
        long end = start + event.entry().addrMask();
        for (Registration r : notifiers) {
            if (r.types.contains(event.type()) && Long.compareUnsigned(start, r.last) <= 0
                    && Long.compareUnsigned(end, r.first) >= 0) {
                r.notifier.notify(event);
            }
        }
    }

    /**
     * Tells {@code notifier} a MAP event for every page that translates today, walking the region
     * in steps of the translator's smallest page (QEMU's memory_region_iommu_replay) from one page
     * that may translate to the next ({@link IommuTranslator#nextMapped}).
     */
    public void replay(IommuNotifier notifier) {
        long step = translator.minPageSize();
        for (long off = 0; Long.compareUnsigned(off, size()) < 0; off += step) {
            long next = translator.nextMapped(off);
            if (Long.compareUnsigned(next, off) > 0) {
                if (Long.compareUnsigned(next, size()) >= 0) {
                    break;
                }
                off = next;
            }
            IommuTlbEntry e = translator.translate(off, AccessKind.READ);
            if (e.perm() == IommuPermission.NONE) {
                e = translator.translate(off, AccessKind.WRITE);
            }
            if (e.perm() != IommuPermission.NONE) {
                notifier.notify(new IommuEvent(IommuEvent.Type.MAP, e));
                // Skip the rest of a large page; unsigned, last byte inclusive: a page can reach 2^64.
                long pageLast = off | e.addrMask();
                if (Long.compareUnsigned(pageLast, size() - 1) >= 0) {
                    break;
                }
                if (Long.compareUnsigned(e.addrMask(), step - 1) > 0) {
                    off = pageLast + 1 - step;
                }
            }
        }
    }

    public int notifierCount() {
        return notifiers.size();
    }

    /** A notifier's registration; closing it unregisters the notifier once. */
    public final class Registration implements AutoCloseable {
        private final Set<IommuEvent.Type> types;
        private final long first;
        private final long last;
        private final IommuNotifier notifier;
        private boolean closed;

        private Registration(Set<IommuEvent.Type> types, long first, long last, IommuNotifier notifier) {
            this.types = types;
            this.first = first;
            this.last = last;
            this.notifier = notifier;
        }

        @Override
        public synchronized void close() {
            if (closed) {
                throw new IllegalStateException("iommu " + name() + " notifier closed twice");
            }
            closed = true;
            notifiers.remove(this);
        }
    }
}
