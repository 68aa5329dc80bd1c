package org.jvmm.qmp;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jvmm.hw.pci.PciFunction;
import org.jvmm.hw.spapr.SpaprTceTable;
import org.jvmm.hw.vfio.VfioPciDevice;
import org.jvmm.machine.pseries.PseriesMachine;
import org.jvmm.memory.MemoryTreeFormatter;
import java.util.stream.Collectors;
import org.jvmm.host.ErrnoException;
import org.jvmm.pci.host.IommuGroup;
import org.jvmm.pci.host.spapr.PartitionableEndpoint;
import org.jvmm.vfio.iommu.SpaprTceIommu;
import org.jvmm.vfio.uapi.VfioUapi;

/**
 * The pseries machine under the monitor. Its vCPU runs in the caller's thread (a -qtest script or
 * a test), so stop and cont only record whether it may run ({@link #mayRun}); reset puts the PHB's
 * DMA windows back to QEMU's default and resets the devices. Guest errors the TCE layer logs are
 * in its tables, read by x-query-tce.
 *
 * <p>x-pe-freeze and x-pe-recover run the PHB's EEH operations on one PE while holding the VFIO
 * container's lock, the one the guest's EEH RTAS calls take (VFIO_EEH_PE_OP): the lock order is
 * container, then PE, as there.
 */
public final class PseriesMonitored implements MonitoredMachine {
    private final PseriesMachine machine;
    private volatile boolean mayRun;

    public PseriesMonitored(PseriesMachine machine, boolean startPaused) {
        this.machine = machine;
        this.mayRun = !startPaused;
    }

    /** False while stopped (or before the first cont of a -S start): the vCPU's driver waits. */
    public boolean mayRun() {
        return mayRun;
    }

    @Override
    public String type() {
        return "pseries";
    }

    @Override
    public boolean kvm() {
        return false; // the soft accelerator
    }

    @Override
    public void pause() {
        mayRun = false;
    }

    @Override
    public void resume() {
        synchronized (this) {
            mayRun = true;
            notifyAll();
        }
    }

    /** Waits while the machine is stopped (the driver of the vCPU calls this before running it). */
    public synchronized void awaitRunnable() throws InterruptedException {
        while (!mayRun) {
            wait();
        }
    }

    @Override
    public void reset() {
        for (VfioPciDevice d : machine.devices()) {
            d.reset();
        }
        machine.phb().resetDma();
    }

    private Map<PciFunction, String> ids() {
        Map<PciFunction, String> ids = new IdentityHashMap<>();
        for (VfioPciDevice d : machine.devices()) {
            ids.put(d, d.name());
        }
        return ids;
    }

    @Override
    public Object queryPci() {
        return PciReport.query(machine.phb().bus(), ids());
    }

    @Override
    public String infoMtree(boolean flat) {
        return PciReport.mtree(MemoryTreeFormatter.format(List.of(machine.systemMemory())), flat);
    }

    @Override
    public String infoPci() {
        return PciReport.text(machine.phb().bus(), ids());
    }

    private List<Map<String, Object>> containers() {
        return machine.vfio() == null ? List.of() : List.of(IommuReport.container("spapr0", machine.vfio().container()));
    }

    @Override
    public String infoIommu() {
        return IommuReport.text(containers());
    }

    @Override
    public Object queryIommu() {
        return containers();
    }

    @Override
    public Object queryFaults() {
        return IommuReport.faults(machine.platform().faults().faults());
    }

    @Override
    public Object queryExits() {
        return IommuReport.exits(machine.exitCounters());
    }

    private List<CounterReport.Device> counted() {
        List<CounterReport.Device> out = new ArrayList<>();
        for (VfioPciDevice d : machine.devices()) {
            out.add(new CounterReport.Device(d.name(), machine.platform().function("x-query", d.vfioDevice().address())));
        }
        return out;
    }

    @Override
    public Object queryDma() {
        return CounterReport.dma(counted());
    }

    /** The devices' messages and the XICS sources that fired (the PHB's LSIs, the MSIs the guest was given, IPIs aside). */
    @Override
    public Object queryIrq() {
        return CounterReport.irq(counted(), machine.interrupts().xics());
    }

    /** Each window of PHB 0: LIOBN, page size, bus offset, size and every valid entry. */
    @Override
    public Object queryTce() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (SpaprTceTable t : machine.phb().tables()) {
            Map<String, Object> w = new LinkedHashMap<>();
            w.put("liobn", QmpJson.u64(t.liobn()));
            w.put("enabled", t.enabled());
            List<Map<String, Object>> entries = new ArrayList<>();
            if (t.enabled()) {
                w.put("page-shift", t.pageShift());
                w.put("bus-offset", QmpJson.u64(t.busOffset()));
                w.put("entries", t.nbTable());
                for (long i = 0; i < t.nbTable(); i++) {
                    long tce = t.get(i);
                    if (tce != 0) {
                        Map<String, Object> e = new LinkedHashMap<>();
                        e.put("ioba", QmpJson.u64(t.busOffset() + (i << t.pageShift())));
                        e.put("tce", QmpJson.u64(tce));
                        entries.add(e);
                    }
                }
            }
            w.put("valid", entries);
            out.add(w);
        }
        return out;
    }

    /** The PEs of PHB 0's container (one per IOMMU group), in attach order; empty without VFIO. */
    private List<PartitionableEndpoint> pes() {
        if (machine.vfio() == null || !(machine.vfio().container().backend() instanceof SpaprTceIommu iommu)) {
            return List.of();
        }
        List<PartitionableEndpoint> out = new ArrayList<>();
        for (IommuGroup g : iommu.groups()) {
            out.add(iommu.phb().pe(g));
        }
        return out;
    }

    /** Each PE of PHB 0's container: its number, PHB, state as VFIO_EEH_PE_GET_STATE reports it, and freezes so far. */
    @Override
    public Object queryPe() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (PartitionableEndpoint p : pes()) {
            int state = p.phb().eehOp("x-query-pe", p, VfioUapi.VFIO_EEH_PE_GET_STATE, 0, 0);
            Map<String, Object> pe = new LinkedHashMap<>();
            pe.put("pe", p.number());
            pe.put("phb", machine.phb().index());
            pe.put("buid", QmpJson.u64(machine.phb().buid()));
            pe.put("state", state);
            pe.put("state-name", switch (state) {
                case 0 -> "normal";
                case 1 -> "reset";
                case 2 -> "stopped";
                case 4 -> "stopped-dma";
                case 5 -> "unavailable";
                default -> "state " + state;
            });
            pe.put("freezes", p.freezeCount());
            out.add(pe);
        }
        return out;
    }

    @Override
    public boolean hasPartitionableEndpoints() {
        return true;
    }

    /** x-pe-freeze: VFIO_EEH_PE_INJECT_ERR (32-bit type, function 0) on the PE, as the RTAS calls' EEH model takes it. */
    @Override
    public void peFreeze(long pe) {
        eeh("x-pe-freeze", pe, VfioUapi.VFIO_EEH_PE_INJECT_ERR);
    }

    /** x-pe-recover: UNFREEZE_IO, RESET_HOT, RESET_DEACTIVATE, CONFIGURE on the PE (Documentation/driver-api/vfio.rst). */
    @Override
    public void peRecover(long pe) {
        eeh("x-pe-recover", pe, VfioUapi.VFIO_EEH_PE_UNFREEZE_IO, VfioUapi.VFIO_EEH_PE_RESET_HOT,
                VfioUapi.VFIO_EEH_PE_RESET_DEACTIVATE, VfioUapi.VFIO_EEH_PE_CONFIGURE);
    }

    private void eeh(String command, long number, int... ops) {
        PartitionableEndpoint pe = null;
        List<PartitionableEndpoint> all = pes();
        for (PartitionableEndpoint p : all) {
            if (p.number() == number) {
                pe = p;
            }
        }
        if (pe == null) {
            throw QmpError.generic(command + ": no PE " + number + " on this machine (its PEs: "
                    + (all.isEmpty() ? "none" : all.stream().map(p -> String.valueOf(p.number())).collect(Collectors.joining(", "))) + ")");
        }
        // the container's lock, as VFIO_EEH_PE_OP from the RTAS calls takes it
        synchronized (machine.vfio().container()) {
            for (int op : ops) {
                try {
                    pe.phb().eehOp(command, pe, op, 0, 0);
                } catch (ErrnoException e) {
                    throw QmpError.generic(command + ": PE " + pe.number() + ": " + e.getMessage());
                }
            }
        }
    }
}
