package org.jvmm.hw.pci;

import org.jvmm.memory.ContainerRegion;
import org.jvmm.memory.MemoryRegion;
import org.jvmm.pci.PciRegs;

/**
 * A PCI bus: up to 256 functions by devfn, and the two containers their BARs are placed in
 * (memory and I/O). A configuration access to an empty slot reads all-ones and drops the write,
 * as a master abort does. Configuration accesses are serialized on the bus; BAR moves take the
 * memory topology lock as every tree change does.
 */
public final class PciBus {
    /** Priority of BARs in their containers: above fixed RAM aliases that might overlap them. */
    static final int BAR_PRIORITY = 1;

    private final String name;
    private final ContainerRegion memory;
    private final ContainerRegion io;
    private final PciFunction[] functions = new PciFunction[256];

    public PciBus(String name, ContainerRegion memory, ContainerRegion io) {
        this.name = name;
        this.memory = memory;
        this.io = io;
    }

    public String name() {
        return name;
    }

    /** Plugs {@code function} in at {@code devfn}; function 0 is marked multi-function when others join it. */
    public synchronized void plug(PciDevfn devfn, PciFunction function) {
        if (functions[devfn.value()] != null) {
            throw new IllegalStateException("pci bus " + name + " plug " + function.name() + " at " + devfn
                    + ": slot taken by " + functions[devfn.value()].name());
        }
        if (function.bus() != null) {
            throw new IllegalStateException("pci bus " + name + " plug " + function.name() + ": already on bus "
                    + function.bus().name());
        }
        functions[devfn.value()] = function;
        function.plugged(this, devfn);
        PciFunction fn0 = functions[devfn.device() << 3];
        boolean joinsFunctionZero = devfn.function() != 0 && fn0 != null;
        boolean functionZeroJoinsOthers = devfn.function() == 0 && hasOtherFunctions(devfn.device());
        if (joinsFunctionZero || functionZeroJoinsOthers) {
            fn0.setByte(PciRegs.HEADER_TYPE, fn0.getByte(PciRegs.HEADER_TYPE) | PciRegs.HEADER_TYPE_MULTIFUNCTION);
        }
    }

    private boolean hasOtherFunctions(int device) {
        for (int f = 1; f < 8; f++) {
            if (functions[device << 3 | f] != null) {
                return true;
            }
        }
        return false;
    }

    /** Unplugs the function at {@code devfn}: its BARs leave the address spaces first. */
    public synchronized PciFunction unplug(PciDevfn devfn) {
        PciFunction f = functions[devfn.value()];
        if (f == null) {
            throw new IllegalStateException("pci bus " + name + " unplug " + devfn + ": slot is empty");
        }
        f.setWord(PciRegs.COMMAND, 0);
        f.updateMappings();
        functions[devfn.value()] = null;
        f.unplugged();
        return f;
    }

    public synchronized PciFunction function(PciDevfn devfn) {
        return functions[devfn.value()];
    }

    /** A configuration read of {@code size} (1, 2, 4) bytes; all-ones for an empty slot or a bad offset. */
    public synchronized int configRead(int devfn, int offset, int size) {
        PciFunction f = functions[devfn & 0xff];
        if (f == null || offset < 0 || offset + size > PciRegs.SPACE_SIZE) {
            return size == 4 ? -1 : (1 << (8 * size)) - 1;
        }
        return f.configRead(offset, size);
    }

    /** A configuration write; dropped for an empty slot or a bad offset. */
    public synchronized void configWrite(int devfn, int offset, int size, int value) {
        PciFunction f = functions[devfn & 0xff];
        if (f == null || offset < 0 || offset + size > PciRegs.SPACE_SIZE) {
            return;
        }
        f.configWrite(offset, size, value);
    }

    void updateMappings(PciFunction f, PciFunction.Bar[] bars) {
        for (int i = 0; i < bars.length; i++) {
            PciFunction.Bar b = bars[i];
            if (b == null) {
                continue;
            }
            ContainerRegion target = b.type.isIo() ? io : memory;
            MemoryRegion r = b.region;
            long want = f.decodedBarAddress(i);
            if (want != PciFunction.UNMAPPED && !fits(want, r.size(), target.size())) {
                // Programmed beyond the bus's address space (a 64-bit BAR's upper half set high):
                // no CPU address reaches it, so it decodes nothing, as an unmapped BAR.
                want = PciFunction.UNMAPPED;
            }
            if (want == b.mappedAt) {
                continue;
            }
            if (b.mappedAt != PciFunction.UNMAPPED) {
                target.removeSubregion(r);
            }
            if (want != PciFunction.UNMAPPED) {
                target.addSubregion(want, r, BAR_PRIORITY);
            }
            b.mappedAt = want;
        }
    }

    /** Whether [address, address + size) lies inside [0, space), all unsigned. */
    private static boolean fits(long address, long size, long space) {
        return Long.compareUnsigned(address, space) < 0 && Long.compareUnsigned(size, space - address) <= 0;
    }
}
