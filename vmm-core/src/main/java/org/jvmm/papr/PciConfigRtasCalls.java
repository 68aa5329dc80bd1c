package org.jvmm.papr;

import static org.jvmm.papr.Rtas.RTAS_OUT_HW_ERROR;
import static org.jvmm.papr.Rtas.RTAS_OUT_SUCCESS;

import java.util.function.LongFunction;
import org.jvmm.hw.pci.PciBus;
import org.jvmm.hw.pci.PciDevfn;
import org.jvmm.hw.pci.PciFunction;
import org.jvmm.pci.PciRegs;

/**
 * PCI configuration access through RTAS, as QEMU 7.2's hw/ppc/spapr_pci.c answers it:
 * read-pci-config (nargs 2, nret 2) and write-pci-config (nargs 3, nret 1) name no PHB (QEMU looks
 * them up under BUID 0, which no PHB has, so they find no device); ibm,read-pci-config (nargs 4,
 * nret 2) and ibm,write-pci-config (nargs 5, nret 1) take the BUID in args[1..2]. Wrong counts:
 * RTAS_OUT_HW_ERROR (-1), as QEMU answers in all four calls. The config address cell is bus in bits 23:16, devfn 15:8, register
 * 7:0 with extended-register bits 27:24 (rtas_pci_cfgaddr). A size other than 1, 2 or 4, no
 * device at the address, an offset past the function's configuration space or not aligned to
 * the size: RTAS_OUT_HW_ERROR. Reads return the value in rets[1].
 */
public final class PciConfigRtasCalls {
    private final LongFunction<PciBus> busByBuid;

    /** @param busByBuid the root bus of the PHB with that BUID, or null */
    public PciConfigRtasCalls(LongFunction<PciBus> busByBuid) {
        this.busByBuid = busByBuid;
    }

    public void registerIn(Rtas rtas) {
        rtas.register("read-pci-config", this::readPciConfig);
        rtas.register("write-pci-config", this::writePciConfig);
        rtas.register("ibm,read-pci-config", this::ibmReadPciConfig);
        rtas.register("ibm,write-pci-config", this::ibmWritePciConfig);
    }

    void readPciConfig(Rtas.Args a) {
        if (a.nargs() != 2 || a.nret() != 2) {
            a.ret(0, RTAS_OUT_HW_ERROR);
            return;
        }
        finishRead(a, 0, a.arg(0), a.arg(1));
    }

    void ibmReadPciConfig(Rtas.Args a) {
        if (a.nargs() != 4 || a.nret() != 2) {
            a.ret(0, RTAS_OUT_HW_ERROR);
            return;
        }
        finishRead(a, a.arg(1) << 32 | a.arg(2), a.arg(0), a.arg(3));
    }

    void writePciConfig(Rtas.Args a) {
        if (a.nargs() != 3 || a.nret() != 1) {
            a.ret(0, RTAS_OUT_HW_ERROR);
            return;
        }
        finishWrite(a, 0, a.arg(0), a.arg(1), a.arg(2));
    }

    void ibmWritePciConfig(Rtas.Args a) {
        if (a.nargs() != 5 || a.nret() != 1) {
            a.ret(0, RTAS_OUT_HW_ERROR);
            return;
        }
        finishWrite(a, a.arg(1) << 32 | a.arg(2), a.arg(0), a.arg(3), a.arg(4));
    }

    private void finishRead(Rtas.Args a, long buid, long addr, long size) {
        PciFunction f = size == 1 || size == 2 || size == 4 ? function(buid, addr) : null;
        int reg = register(addr);
        if (f == null || reg % size != 0 || reg >= PciRegs.SPACE_SIZE) {
            a.ret(0, RTAS_OUT_HW_ERROR);
            return;
        }
        int v = f.bus().configRead(f.devfn().value(), reg, (int) size);
        a.ret(0, RTAS_OUT_SUCCESS);
        a.ret(1, v & 0xffff_ffffL);
    }

    private void finishWrite(Rtas.Args a, long buid, long addr, long size, long value) {
        PciFunction f = size == 1 || size == 2 || size == 4 ? function(buid, addr) : null;
        int reg = register(addr);
        if (f == null || reg % size != 0 || reg >= PciRegs.SPACE_SIZE) {
            a.ret(0, RTAS_OUT_HW_ERROR);
            return;
        }
        f.bus().configWrite(f.devfn().value(), reg, (int) size, (int) value);
        a.ret(0, RTAS_OUT_SUCCESS);
    }

    /** spapr_pci_find_dev: the function at bus 0 devfn on the PHB, or null (no PHB, another bus, empty). */
    private PciFunction function(long buid, long addr) {
        PciBus bus = busByBuid.apply(buid);
        if (bus == null || ((addr >>> 16) & 0xff) != 0) {
            return null;
        }
        return bus.function(new PciDevfn((int) (addr >>> 11) & 0x1f, (int) (addr >>> 8) & 7));
    }

    /** rtas_pci_cfgaddr. */
    private static int register(long addr) {
        return (int) (((addr >>> 20) & 0xf00) | (addr & 0xff));
    }
}
