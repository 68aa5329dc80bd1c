package org.jvmm.accel.kvm;

import java.util.EnumSet;
import java.util.Set;
import java.util.TreeMap;
import org.jvmm.address.GuestAddress;
import org.jvmm.kvm.Memslot;
import org.jvmm.kvm.MemslotFlag;
import org.jvmm.kvm.Vm;
import org.jvmm.memory.MemoryListener;
import org.jvmm.memory.MemoryRegionSection;

/**
 * Keeps the accelerator's memslots in step with an address space, as QEMU's kvm_region_add/del
 * do: every RAM section becomes a memslot of its host memory (ROM read-only, so guest writes come
 * back as MMIO exits and are dropped by dispatch), trimmed inward to whole pages; MMIO and
 * unassigned space have no slot, so accesses there exit to the VMM.
 *
 * <p>Runs under the memory topology lock like every listener. Owns the memslots it made: removing
 * the listener from its address space (or closing that) deletes them all.
 */
public final class KvmMemoryListener implements MemoryListener {
    private static final long PAGE = 4096;

    private final Vm vm;
    private final TreeMap<Long, Memslot> slots = new TreeMap<>();
    private long adds;
    private long deletes;

    public KvmMemoryListener(Vm vm) {
        this.vm = vm;
    }

    /** Runs first: guest RAM must be in place before anyone maps it for DMA. */
    @Override
    public int priority() {
        return 10;
    }

    @Override
    public void regionAdd(MemoryRegionSection s) {
        if (!s.isRam()) {
            return;
        }
        long start = alignUp(s.offsetWithinAddressSpace().value());
        long end = alignDown(s.end().value());
        if (end <= start) {
            return;
        }
        long delta = start - s.offsetWithinAddressSpace().value();
        Set<MemslotFlag> flags = s.isReadOnly() ? EnumSet.of(MemslotFlag.READONLY) : Set.of();
        Memslot slot = vm.mapMemory(new GuestAddress(start), end - start, s.hostAddress().plus(delta), flags);
        slots.put(start, slot);
        adds++;
    }

    @Override
    public void regionDel(MemoryRegionSection s) {
        if (!s.isRam()) {
            return;
        }
        long start = alignUp(s.offsetWithinAddressSpace().value());
        Memslot slot = slots.remove(start);
        if (slot != null) {
            slot.close();
            deletes++;
        }
    }

    /** How many memslots exist now. */
    public int slotCount() {
        return slots.size();
    }

    /** Memslots made and deleted so far. */
    public long adds() {
        return adds;
    }

    public long deletes() {
        return deletes;
    }

    private static long alignUp(long v) {
        return (v + PAGE - 1) & -PAGE;
    }

    private static long alignDown(long v) {
        return v & -PAGE;
    }
}
