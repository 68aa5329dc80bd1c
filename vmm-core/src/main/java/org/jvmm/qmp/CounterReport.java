package org.jvmm.qmp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jvmm.kvm.spapr.SpaprXics;
import org.jvmm.pci.host.HostPciFunction;

/**
 * x-query-dma and x-query-irq, from the counters the host functions keep (DMA bytes through their
 * DMA port, MSI/MSI-X messages per vector, INTx assertions) and, on pseries, the XICS's per-source
 * counts. Counts run from the start of the machine (a reset does not clear them), so a client
 * takes the difference of two samples for a rate.
 */
final class CounterReport {
    private CounterReport() {
    }

    /** One device under its monitor id. */
    record Device(String id, HostPciFunction function) {
    }

    /** {@code {to-memory, from-memory, devices: [{device, host, to-memory, from-memory}]}}. */
    static Map<String, Object> dma(List<Device> devices) {
        long to = 0;
        long from = 0;
        List<Map<String, Object>> out = new ArrayList<>();
        for (Device d : devices) {
            long t = d.function().dmaPort().bytesToMemory();
            long f = d.function().dmaPort().bytesFromMemory();
            to += t;
            from += f;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("device", d.id());
            m.put("host", d.function().address().toString());
            m.put("to-memory", t);
            m.put("from-memory", f);
            out.add(m);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("to-memory", to);
        m.put("from-memory", from);
        m.put("devices", out);
        return m;
    }

    /**
     * {@code {msi, intx, devices: [{device, host, msi, intx, vectors: [{vector, count}]}]}}, and
     * with an XICS {@code sources: [{irq, type, count}]} for each source that fired.
     */
    static Map<String, Object> irq(List<Device> devices, SpaprXics xics) {
        long msi = 0;
        long intx = 0;
        List<Map<String, Object>> out = new ArrayList<>();
        for (Device d : devices) {
            HostPciFunction f = d.function();
            long n = f.msiMessages();
            long i = f.intxAssertions();
            msi += n;
            intx += i;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("device", d.id());
            m.put("host", f.address().toString());
            m.put("msi", n);
            m.put("intx", i);
            List<Map<String, Object>> vectors = new ArrayList<>();
            f.msiMessagesPerVector().forEach((v, c) -> {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("vector", v);
                e.put("count", c);
                vectors.add(e);
            });
            m.put("vectors", vectors);
            out.add(m);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("msi", msi);
        m.put("intx", intx);
        m.put("devices", out);
        if (xics != null) {
            List<Map<String, Object>> sources = new ArrayList<>();
            xics.firedCounts().forEach((irq, c) -> {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("irq", irq);
                e.put("type", xics.claimedAs(irq, true) ? "lsi" : "msi");
                e.put("count", c);
                sources.add(e);
            });
            m.put("sources", sources);
        }
        return m;
    }
}
