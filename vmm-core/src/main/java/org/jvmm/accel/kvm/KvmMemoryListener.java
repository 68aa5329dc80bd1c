package org.jvmm.accel.kvm;

import java.util.EnumSet;
import java.util.Set;
import java.util.TreeMap;
import org.jvmm.kvm.Memslot;
import org.jvmm.kvm.MemslotFlag;
import org.jvmm.kvm.Vm;
import org.jvmm.memory.MemoryListener;
import org.jvmm.memory.MemoryRegionSection;
import org.jvmm.trace.Trace;

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
        MemoryRegionSection a = s.isRam() ? s.pageAligned(PAGE) : null;
        if (a == null) {
            return;
        }
        Set<MemslotFlag> flags = a.isReadOnly() ? EnumSet.of(MemslotFlag.READONLY) : Set.of();
        slots.put(a.offsetWithinAddressSpace().value(),
                vm.mapMemory(a.offsetWithinAddressSpace(), a.size(), a.hostAddress(), flags));
        adds++;
        Trace.memslot(true, a.offsetWithinAddressSpace().value(), a.size(), a.hostAddress().value());
    }

    @Override
    public void regionDel(MemoryRegionSection s) {
        MemoryRegionSection a = s.isRam() ? s.pageAligned(PAGE) : null;
        Memslot slot = a == null ? null : slots.remove(a.offsetWithinAddressSpace().value());
        if (slot != null) {
            slot.close();
            deletes++;
            Trace.memslot(false, a.offsetWithinAddressSpace().value(), a.size(), a.hostAddress().value());
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
}
