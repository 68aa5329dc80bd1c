package org.jvmm.machine.pseries;

import org.jvmm.hw.pci.PciBus;
import org.jvmm.hw.pci.PciDevfn;
import org.jvmm.hw.pci.PciFunction;
import org.jvmm.hw.spapr.SpaprPhb;
import org.jvmm.hw.vfio.VfioPciDevice;
import org.jvmm.kvm.KvmDevice;
import org.jvmm.kvm.KvmDeviceType;
import org.jvmm.kvm.MsiMessage;
import org.jvmm.kvm.spapr.SpaprVm;
import org.jvmm.kvm.spapr.SpaprXics;
import org.jvmm.papr.MsiRtasCalls;
import org.jvmm.papr.Rtas;
import org.jvmm.papr.XicsRtasCalls;
import org.jvmm.pci.PciRegs;

/**
 * A pseries machine's interrupts, as QEMU 7.2's spapr does them with XICS: the accelerator's XICS
 * device (KVM_DEV_TYPE_XICS; vCPUs get their ICPs), the PHB's four INTx sources claimed as LSIs
 * (SPAPR_IRQ_PCI_LSI + 4 * PHB index + pin, with QEMU's swizzle (slot + pin) mod 4), and the RTAS
 * calls ibm,set-xive, ibm,get-xive, ibm,int-off, ibm,int-on ({@link XicsRtasCalls}),
 * ibm,query-interrupt-source-number and ibm,change-msi ({@link MsiRtasCalls}) for the PHB's
 * functions. A vfio-pci function's INTx irqfd is on its LSI's number and resamples on EOI; its
 * MSI and MSI-X vectors, once ibm,change-msi programmed them, reach XICS sources by their data.
 *
 * <p>Threads: built and closed on the machine's control thread; the RTAS calls come from vCPU
 * threads (the calls serialize themselves, configuration accesses go through the PCI bus lock).
 */
public final class PseriesInterrupts implements AutoCloseable {
    private final KvmDevice device;
    private final SpaprXics xics;
    private final SpaprPhb phb;
    private final MsiRtasCalls msi;

    private PseriesInterrupts(KvmDevice device, SpaprXics xics, SpaprPhb phb, MsiRtasCalls msi) {
        this.device = device;
        this.xics = xics;
        this.phb = phb;
        this.msi = msi;
    }

    /** Creates the XICS in {@code vm}, claims {@code phb}'s LSIs and registers the RTAS calls in {@code rtas}. */
    public static PseriesInterrupts attach(SpaprVm vm, Rtas rtas, SpaprPhb phb) {
        KvmDevice device = vm.createDevice(KvmDeviceType.XICS);
        SpaprXics xics = vm.xics();
        for (int pin = 0; pin < 4; pin++) {
            xics.claim(lsi(phb, pin), true);
        }
        new XicsRtasCalls(() -> xics).registerIn(rtas);
        MsiRtasCalls msi = new MsiRtasCalls(new Functions(phb), () -> xics);
        msi.registerIn(rtas);
        return new PseriesInterrupts(device, xics, phb, msi);
    }

    private static int lsi(SpaprPhb phb, int pin) {
        return SpaprXics.PCI_LSI_BASE + 4 * phb.index() + pin;
    }

    /** The LSI a function in {@code slot} with interrupt pin {@code pin} (1 = INTA .. 4) raises. */
    public int intxIrq(int slot, int pin) {
        if (pin < 1 || pin > 4) {
            throw new IllegalArgumentException("PCI interrupt pin " + pin + " is not INTA..INTD (1..4)");
        }
        return lsi(phb, (slot + pin - 1) % 4);
    }

    public SpaprXics xics() {
        return xics;
    }

    public MsiRtasCalls msiCalls() {
        return msi;
    }

    @Override
    public void close() {
        device.close();
    }

    /** The PHB's functions as ibm,change-msi sees them. */
    private record Functions(SpaprPhb phb) implements MsiRtasCalls.Functions {
        @Override
        public boolean knownBuid(long buid) {
            return buid == phb.buid();
        }

        @Override
        public MsiRtasCalls.MsiFunction find(long buid, long configAddress) {
            int bus = (int) (configAddress >>> 16) & 0xff;
            int devfn = (int) (configAddress >>> 8) & 0xff;
            if (bus != 0) {
                return null;
            }
            PciFunction f = phb.bus().function(new PciDevfn(devfn >>> 3, devfn & 7));
            return f == null ? null : new Function(phb.bus(), devfn, f);
        }
    }

    /** One function: MSI through its configuration space, MSI-X through the vfio-pci table. */
    private record Function(PciBus bus, int devfn, PciFunction function) implements MsiRtasCalls.MsiFunction {
        private int msiCap() {
            if ((bus.configRead(devfn, PciRegs.STATUS, 2) & PciRegs.STATUS_CAP_LIST) == 0) {
                return 0;
            }
            int off = bus.configRead(devfn, PciRegs.CAPABILITY_LIST, 1) & 0xfc;
            for (int guard = 0; off != 0 && guard < 48; guard++) {
                if (bus.configRead(devfn, off, 1) == PciRegs.CAP_ID_MSI) {
                    return off;
                }
                off = bus.configRead(devfn, off + 1, 1) & 0xfc;
            }
            return 0;
        }

        @Override
        public boolean msiPresent() {
            return msiCap() != 0;
        }

        @Override
        public boolean msixPresent() {
            return function instanceof VfioPciDevice v && v.msixVectors() > 0;
        }

        @Override
        public int msiVectorsAllocated() {
            int cap = msiCap();
            return cap == 0 ? 0 : 1 << ((bus.configRead(devfn, cap + 2, 2) & 0x70) >>> 4);
        }

        @Override
        public int msixEntries() {
            return function instanceof VfioPciDevice v ? v.msixVectors() : 0;
        }

        @Override
        public void setMsiMessage(long address, int data) {
            int cap = msiCap();
            boolean is64 = (bus.configRead(devfn, cap + 2, 2) & 0x80) != 0;
            bus.configWrite(devfn, cap + 4, 4, (int) address);
            if (is64) {
                bus.configWrite(devfn, cap + 8, 4, (int) (address >>> 32));
                bus.configWrite(devfn, cap + 12, 2, data);
            } else {
                bus.configWrite(devfn, cap + 8, 2, data);
            }
        }

        @Override
        public void setMsixMessage(int vector, long address, int data) {
            ((VfioPciDevice) function).setMsixMessage(vector, new MsiMessage(address, data));
        }
    }
}
