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
import org.jvmm.vfio.iommu.EehPeOp;
import org.jvmm.vfio.uapi.VfioUapi;

/**
 * The pseries machine under the monitor. Its vCPU runs in the caller's thread (a -qtest script or
 * a test), so stop and cont only record whether it may run ({@link #mayRun}); reset puts the PHB's
 * DMA windows back to QEMU's default and resets the devices. Guest errors the TCE layer logs are
 * in its tables, read by x-query-tce.
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

    /** The PE behind PHB 0's container, as VFIO_EEH_PE_GET_STATE reports it. */
    @Override
    public Object queryPe() {
        if (machine.vfio() == null) {
            return List.of();
        }
        int state = machine.vfio().container().eehPeOp(EehPeOp.of(VfioUapi.VFIO_EEH_PE_GET_STATE));
        Map<String, Object> pe = new LinkedHashMap<>();
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
        return List.of(pe);
    }
}
