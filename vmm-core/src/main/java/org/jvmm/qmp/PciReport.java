package org.jvmm.qmp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jvmm.hw.pci.PciBus;
import org.jvmm.hw.pci.PciDevfn;
import org.jvmm.hw.pci.PciFunction;
import org.jvmm.memory.MemoryRegion;
import org.jvmm.pci.PciRegs;

/** query-pci and {@code info pci} for one bus, read from the functions' configuration space. */
final class PciReport {
    private PciReport() {
    }

    /** One function, its configuration header and its BARs. */
    record Fn(int slot, int function, int vendor, int device, int subsystemVendor, int subsystem, int classCode,
            int irqPin, String qdevId, List<Region> regions) {
    }

    /** A BAR: type io or memory, where it is mapped (-1 unmapped) and its size. */
    record Region(int bar, String type, long address, long size, boolean prefetch, boolean mem64) {
    }

    static List<Fn> functions(PciBus bus, Map<PciFunction, String> ids) {
        List<Fn> out = new ArrayList<>();
        for (int devfn = 0; devfn < 256; devfn++) {
            PciDevfn at = new PciDevfn(devfn >> 3, devfn & 7);
            PciFunction f = bus.function(at);
            if (f == null) {
                continue;
            }
            List<Region> regions = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                MemoryRegion r = f.barRegion(i);
                if (r == null) {
                    continue;
                }
                int low = f.configRead(PciRegs.BASE_ADDRESS_0 + 4 * i, 4);
                boolean io = (low & PciRegs.BASE_ADDRESS_SPACE_IO) != 0;
                regions.add(new Region(i, io ? "io" : "memory", f.barAddress(i), r.size(),
                        !io && (low & PciRegs.BASE_ADDRESS_MEM_PREFETCH) != 0, !io && (low & PciRegs.BASE_ADDRESS_MEM_TYPE_64) != 0));
            }
            out.add(new Fn(at.device(), at.function(), f.configRead(PciRegs.VENDOR_ID, 2), f.configRead(PciRegs.DEVICE_ID, 2),
                    f.configRead(PciRegs.SUBSYSTEM_VENDOR_ID, 2), f.configRead(PciRegs.SUBSYSTEM_ID, 2),
                    f.configRead(PciRegs.CLASS_DEVICE, 2), f.configRead(PciRegs.INTERRUPT_PIN, 1), ids.getOrDefault(f, ""), regions));
        }
        return out;
    }

    /** QEMU's PciInfo list: one bus, its devices. */
    static List<Map<String, Object>> query(PciBus bus, Map<PciFunction, String> ids) {
        List<Map<String, Object>> devices = new ArrayList<>();
        for (Fn f : functions(bus, ids)) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("bus", 0);
            d.put("slot", f.slot());
            d.put("function", f.function());
            d.put("class_info", Map.of("class", f.classCode()));
            Map<String, Object> id = new LinkedHashMap<>();
            id.put("device", f.device());
            id.put("vendor", f.vendor());
            id.put("subsystem", f.subsystem());
            id.put("subsystem-vendor", f.subsystemVendor());
            d.put("id", id);
            if (f.irqPin() != 0) {
                d.put("irq_pin", f.irqPin());
            }
            d.put("qdev_id", f.qdevId());
            List<Map<String, Object>> regions = new ArrayList<>();
            for (Region r : f.regions()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("bar", r.bar());
                m.put("type", r.type());
                m.put("address", QmpJson.u64(r.address()));
                m.put("size", QmpJson.u64(r.size()));
                if (r.type().equals("memory")) {
                    m.put("prefetch", r.prefetch());
                    m.put("mem_type_64", r.mem64());
                }
                regions.add(m);
            }
            d.put("regions", regions);
            devices.add(d);
        }
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("bus", 0);
        b.put("devices", devices);
        return List.of(b);
    }

    /** {@code info pci}: a block per function, as QEMU's hmp_info_pci prints. */
    static String text(PciBus bus, Map<PciFunction, String> ids) {
        StringBuilder out = new StringBuilder();
        for (Fn f : functions(bus, ids)) {
            out.append(String.format("  Bus %2d, device %3d, function %d:%n", 0, f.slot(), f.function()));
            out.append(String.format("    Class %04x: PCI device %04x:%04x%n", f.classCode(), f.vendor(), f.device()));
            if (f.irqPin() != 0) {
                out.append(String.format("      IRQ pin %c.%n", 'A' + f.irqPin() - 1));
            }
            for (Region r : f.regions()) {
                String at = r.address() == PciFunction.UNMAPPED ? "unmapped" : String.format("0x%x", r.address());
                out.append(String.format("      BAR%d: %s at %s [0x%x].%n", r.bar(),
                        r.type().equals("io") ? "I/O" : (r.mem64() ? "64 bit " : "32 bit ") + (r.prefetch() ? "prefetchable " : "") + "memory",
                        at, r.address() == PciFunction.UNMAPPED ? r.size() - 1 : r.address() + r.size() - 1));
            }
            out.append(String.format("      id \"%s\"%n", f.qdevId()));
        }
        return out.toString().replace(System.lineSeparator(), "\n");
    }

    /** The tree part ({@code flat}: the flat views) of {@code info mtree}'s full text. */
    static String mtree(String full, boolean flat) {
        int at = full.indexOf("FlatView #");
        if (at < 0) {
            return flat ? "" : full;
        }
        return flat ? full.substring(at) : full.substring(0, at);
    }
}
