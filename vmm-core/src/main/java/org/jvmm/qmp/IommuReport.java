package org.jvmm.qmp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jvmm.dispatch.ExitCounters;
import org.jvmm.dispatch.ExitKind;
import org.jvmm.iommu.IommuFault;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.iommu.DmaMapping;
import org.jvmm.vfio.iommu.IommuBackend;
import org.jvmm.vfio.iommu.SpaprTceIommu;
import org.jvmm.vfio.iommu.Type1Iommu;

/** x-query-iommu, x-query-faults, x-query-exits and {@code info iommu}, from the VFIO model's own views. */
final class IommuReport {
    private IommuReport() {
    }

    /** One container: its IOMMU type, group count and, for TYPE1, the live mappings in IOVA order. */
    static Map<String, Object> container(String name, VfioContainer c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("container", name);
        IommuBackend b = c.backend();
        m.put("type", b instanceof Type1Iommu ? "type1" : b instanceof SpaprTceIommu ? "spapr-tce" : "none");
        m.put("groups", c.groupCount());
        List<Map<String, Object>> maps = new ArrayList<>();
        if (b instanceof Type1Iommu t) {
            for (DmaMapping d : t.mappings()) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("iova", QmpJson.u64(d.iova().value()));
                e.put("size", QmpJson.u64(d.size()));
                e.put("vaddr", QmpJson.u64(d.vaddr().value()));
                e.put("perm", String.valueOf(d.perm()));
                maps.add(e);
            }
        }
        m.put("mappings", maps);
        return m;
    }

    /**
     * One iommufd backend ({@code -object iommufd,id=ID}): its IOAS and the IOAS's live mappings
     * in IOVA order, in the same shape as a container's.
     */
    static Map<String, Object> iommufd(org.jvmm.hw.vfio.VfioIommufdSpace space) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("iommufd", space.id());
        m.put("type", "iommufd");
        int ioasId = space.ioasId();
        m.put("ioas", ioasId);
        List<Map<String, Object>> maps = new ArrayList<>();
        if (ioasId != 0) {
            for (org.jvmm.iommufd.Ioas.Mapping d : space.iommufd().ioas(ioasId).mappings()) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("iova", QmpJson.u64(d.iova()));
                e.put("size", QmpJson.u64(d.length()));
                e.put("vaddr", QmpJson.u64(d.userVa()));
                e.put("perm", d.read() && d.write() ? "READ_WRITE" : d.read() ? "READ" : "WRITE");
                maps.add(e);
            }
        }
        m.put("mappings", maps);
        return m;
    }

    static String text(List<Map<String, Object>> containers) {
        if (containers.isEmpty()) {
            return "no VFIO container (no vfio-pci device)\n";
        }
        StringBuilder out = new StringBuilder();
        for (Map<String, Object> c : containers) {
            if (c.containsKey("iommufd")) {
                out.append("iommufd ").append(c.get("iommufd")).append(": IOAS ").append(c.get("ioas")).append("\n");
            } else {
                out.append("container ").append(c.get("container")).append(": ").append(c.get("type")).append(", ")
                        .append(c.get("groups")).append(" group(s)\n");
            }
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> maps = (List<Map<String, Object>>) c.get("mappings");
            for (Map<String, Object> e : maps) {
                long iova = ((Number) e.get("iova")).longValue();
                long size = ((Number) e.get("size")).longValue();
                out.append(String.format("  %016x-%016x -> %016x %s%n", iova, iova + size - 1, ((Number) e.get("vaddr")).longValue(),
                        e.get("perm")));
            }
        }
        return out.toString().replace(System.lineSeparator(), "\n");
    }

    static List<Map<String, Object>> faults(List<IommuFault> faults) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (IommuFault f : faults) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("device", f.device().toString());
            m.put("iova", QmpJson.u64(f.iova().value()));
            m.put("size", QmpJson.u64(f.size()));
            m.put("access", String.valueOf(f.access()).toLowerCase(java.util.Locale.ROOT));
            m.put("reason", String.valueOf(f.reason()).toLowerCase(java.util.Locale.ROOT));
            out.add(m);
        }
        return out;
    }

    static Map<String, Object> exits(ExitCounters c) {
        Map<String, Object> byKind = new LinkedHashMap<>();
        for (ExitKind k : ExitKind.values()) {
            byKind.put(k.name().toLowerCase(java.util.Locale.ROOT), c.count(k));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("total", c.total());
        m.put("by-kind", byKind);
        return m;
    }
}
