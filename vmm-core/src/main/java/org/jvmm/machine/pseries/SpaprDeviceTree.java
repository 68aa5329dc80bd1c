package org.jvmm.machine.pseries;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jvmm.machine.fdt.FdtNode;
import org.jvmm.hw.pci.PciFunction;
import org.jvmm.hw.spapr.SpaprPhb;
import org.jvmm.hw.spapr.SpaprVty;
import org.jvmm.kvm.soft.ppc.PpcCpu;
import org.jvmm.kvm.spapr.Papr;
import org.jvmm.memory.MemoryRegion;
import org.jvmm.papr.PaprNumbers;
import org.jvmm.pci.PciRegs;

/**
 * The pseries device tree as QEMU 7.2's spapr builds it at machine reset (hw/ppc/spapr.c
 * spapr_build_fdt, spapr_pci.c spapr_dt_phb, spapr_vio.c, xics_spapr.c), for the nodes a guest
 * or Linux reads, in QEMU's order: the root, chosen (stdout-path, bootargs), rtas (one property
 * per implemented call with its fixed token, and ibm,hypertas-functions listing exactly the
 * hypercall sets the machine's table answers), cpus, the PHB with its devices, vdevice with the
 * nvram and the vty, memory@0 and the XICS presentation controller.
 *
 * <p>Left out on purpose, each because the machine has no such thing: dynamic reconfiguration
 * connectors (ibm,drc-*, no hotplug), event-sources (no EPOW or hot-plug events), the NVRAM, the
 * random seed, client-architecture-support results, the graphic console, and the CPU properties
 * of facilities the soft CPU lacks (VMX, DFP, PURR/SPURR, the large decrementer); the CPU reports
 * its own PVR. The test that compares with QEMU's dump names each of these.
 */
public final class SpaprDeviceTree {
    /** The XICS presentation controller's phandle (QEMU's PHANDLE_INTC). */
    public static final int INTC_PHANDLE = 0x1111;
    /** First PCI LSI number (SPAPR_IRQ_PCI_LSI); slot s pin p is 0x1200 + (s + p - 1) % 4. */
    public static final int PCI_LSI_BASE = 0x1200;
    /** The nvram's VIO interrupt number (SPAPR_IRQ_VIO 0x1100 | its reg's low bits). */
    public static final int NVRAM_IRQ = 0x1100;
    /** The vty's VIO interrupt number (SPAPR_IRQ_VIO 0x1100 | its reg's low bits). */
    public static final int VTY_IRQ = 0x1101;
    /** The nvram's reg: QEMU creates spapr-nvram at machine init, before a -device spapr-vty. */
    public static final long NVRAM_REG = 0x7100_0000L;
    /** The nvram's size (#bytes): QEMU's DEFAULT_NVRAM_SIZE, 64 KiB. */
    public static final int NVRAM_BYTES = 0x10000;
    /** MSIs a PE may have (ibm,pe-total-#msi: QEMU 7.2's spapr_irq_dual nr_msis). */
    public static final int PE_TOTAL_MSI = 0xd00;
    /** The 64-bit MMIO window QEMU's ranges announce (SPAPR_PCI_MEM64_WIN_BASE/SIZE). */
    static final long MEM64_BASE = 0x2100_0000_0000L;
    static final long MEM64_SIZE = 0x100_0000_0000L;
    static final long IO_SIZE = 0x10000;
    static final long MEM32_BUS = 0x8000_0000L;
    static final long MEM32_SIZE = 0x8000_0000L;

    /** One hypercall set of ibm,hypertas-functions and the calls it needs, in QEMU's order. */
    private record HcallSet(String name, long... calls) {
    }

    private static final List<HcallSet> HCALL_SETS = List.of(
            new HcallSet("hcall-term", PaprNumbers.H_PUT_TERM_CHAR, PaprNumbers.H_GET_TERM_CHAR),
            new HcallSet("hcall-interrupt", PaprNumbers.H_EOI, PaprNumbers.H_CPPR, PaprNumbers.H_IPI,
                    PaprNumbers.H_IPOLL, PaprNumbers.H_XIRR),
            new HcallSet("hcall-tce", Papr.H_PUT_TCE, Papr.H_GET_TCE),
            new HcallSet("hcall-splpar", PaprNumbers.H_REGISTER_VPA, Papr.H_CEDE),
            new HcallSet("hcall-set-mode", PaprNumbers.H_SET_MODE),
            new HcallSet("hcall-multi-tce", Papr.H_PUT_TCE_INDIRECT, Papr.H_STUFF_TCE));

    /**
     * What the tree describes.
     *
     * @param ramSize RAM at 0
     * @param bootargs the -append text, or null
     * @param kernel the -kernel image's [address, size], or null
     * @param rtasTokens the RTAS calls registered, name to token, in token order
     * @param hcalls the hypercall numbers the machine's table answers
     * @param phb PHB 0
     * @param devices the PCI functions on PHB 0's bus, with their QEMU type names (for ibm,loc-code)
     */
    public record Inputs(long ramSize, String bootargs, long[] kernel, Map<String, Integer> rtasTokens, Set<Long> hcalls,
                         SpaprPhb phb, Map<PciFunction, String> devices) {
    }

    private SpaprDeviceTree() {
    }

    /** The hypercall sets whose every call {@code hcalls} holds, in QEMU's order. */
    public static List<String> hypertasFunctions(Set<Long> hcalls) {
        List<String> out = new ArrayList<>();
        for (HcallSet s : HCALL_SETS) {
            boolean all = true;
            for (long c : s.calls()) {
                all &= hcalls.contains(c);
            }
            if (all) {
                out.add(s.name());
            }
        }
        return out;
    }

    public static FdtNode build(Inputs in) {
        FdtNode root = new FdtNode("");
        root.cells("#size-cells", 2).cells("#address-cells", 2)
                .strings("vm,uuid", "00000000-0000-0000-0000-000000000000")
                .strings("compatible", "qemu,pseries").strings("model", "IBM pSeries (emulated by qemu)")
                .strings("device_type", "chrp");
        root.child("ibm,persistent-memory").strings("device_type", "ibm,persistent-memory")
                .cells("#size-cells", 0).cells("#address-cells", 1);
        chosen(root.child("chosen"), in);
        rtas(root.child("rtas"), in);
        cpus(root.child("cpus"));
        phb(root.child("pci@" + Long.toHexString(in.phb().buid())), in);
        FdtNode vdevice = root.child("vdevice").empty("interrupt-controller").cells("#interrupt-cells", 2)
                .cells("#size-cells", 0).cells("#address-cells", 1).strings("compatible", "IBM,vdevice")
                .strings("device_type", "vdevice");
        vdevice.child("nvram@" + Long.toHexString(NVRAM_REG)).cells("#bytes", NVRAM_BYTES)
                .cells("interrupts", NVRAM_IRQ, 0).strings("compatible", "qemu,spapr-nvram")
                .strings("device_type", "nvram").cells("reg", NVRAM_REG);
        vdevice.child("vty@" + Long.toHexString(SpaprVty.REG)).cells("interrupts", VTY_IRQ, 0).strings("compatible", "hvterm1")
                .strings("device_type", "serial").cells("reg", SpaprVty.REG);
        root.child("memory@0").cells("ibm,associativity", 4, 0, 0, 0, 0).u64("reg", 0, in.ramSize())
                .strings("device_type", "memory");
        root.child("interrupt-controller").cells("phandle", INTC_PHANDLE).cells("linux,phandle", INTC_PHANDLE)
                .cells("#interrupt-cells", 2).cells("ibm,interrupt-server-ranges", 0, 1)
                .empty("interrupt-controller").strings("compatible", "IBM,ppc-xicp")
                .strings("device_type", "PowerPC-External-Interrupt-Presentation");
        return root;
    }

    private static void chosen(FdtNode c, Inputs in) {
        String vty = "/vdevice/vty@" + Long.toHexString(SpaprVty.REG);
        c.bytes("ibm,architecture-vec-5", new byte[2]).cells("linux,pci-probe-only", 0)
                .strings("stdout-path", vty).strings("linux,stdout-path", vty);
        if (in.kernel() != null) {
            c.u64("qemu,boot-kernel", in.kernel()[0], in.kernel()[1]);
        }
        if (in.bootargs() != null) {
            c.strings("bootargs", in.bootargs());
        }
    }

    private static void rtas(FdtNode r, Inputs in) {
        List<Map.Entry<String, Integer>> calls = new ArrayList<>(in.rtasTokens().entrySet());
        calls.sort(Map.Entry.<String, Integer>comparingByValue().reversed());
        for (Map.Entry<String, Integer> e : calls) {
            r.cells(e.getKey(), e.getValue());
        }
        r.cells("ibm,lrdr-capacity", 0, 0, 0, 0x1000_0000L, 1);
        r.empty("ibm,extended-os-term");
        if (in.rtasTokens().containsKey("ibm,change-msi")) {
            r.empty("ibm,change-msix-capable");
        }
        r.cells("rtas-event-scan-rate", 1).cells("rtas-error-log-max", 0x800).cells("rtas-size", 0x82c)
                .cells("ibm,max-associativity-domains", 4, 0, 0, 0, 1)
                .cells("ibm,associativity-reference-points", 4, 4, 2);
        r.strings("ibm,hypertas-functions", hypertasFunctions(in.hcalls()).toArray(String[]::new));
    }

    private static void cpus(FdtNode cpus) {
        cpus.cells("#size-cells", 0).cells("#address-cells", 1);
        cpus.child("PowerPC,POWER9@0")
                .cells("ibm,processor-radix-AP-encodings", 0x0c, 0xa000_0010L, 0x2000_0015L, 0x4000_001eL)
                .cells("ibm,ppc-interrupt-gserver#s", 0, 0).cells("ibm,ppc-interrupt-server#s", 0)
                .cells("ibm,pft-size", 0, 0x16).cells("ibm,chip-id", 0)
                .cells("ibm,pa-features", 0x4200f63fL, 0xc7c080f0L, 0x80000000L, 0x00, 0x8000, 0x80008000L, 0x8000,
                        0x80008000L, 0x80008000L, 0xc0008000L, 0x80008000L, 0x80008000L, 0x80008000L, 0x80008000L,
                        0x80008000L, 0x80008000L, 0x80000000L)
                .cells("ibm,segment-page-sizes", 0x0c, 0x00, 0x01, 0x0c, 0x00, 0x10, 0x110, 0x01, 0x10, 0x01)
                .cells("ibm,processor-segment-sizes", 0x1c, 0x28, 0xffff_ffffL, 0xffff_ffffL)
                .empty("64-bit").strings("status", "okay").cells("ibm,slb-size", 0x20).cells("slb-size", 0x20)
                .cells("clock-frequency", 1_000_000_000L).cells("timebase-frequency", PpcCpu.TIMEBASE_HZ)
                .cells("i-cache-size", 0x8000).cells("d-cache-size", 0x8000).cells("i-cache-line-size", 0x80)
                .cells("i-cache-block-size", 0x80).cells("d-cache-line-size", 0x80).cells("d-cache-block-size", 0x80)
                .cells("cpu-version", PpcCpu.PVR_POWER9).strings("device_type", "cpu").cells("reg", 0);
    }

    private static void phb(FdtNode p, Inputs in) {
        SpaprPhb phb = in.phb();
        for (Map.Entry<PciFunction, String> d : in.devices().entrySet()) {
            device(p, phb, d.getKey(), d.getValue());
        }
        p.cells("#size-cells", 2).cells("#address-cells", 3).cells("qemu,phb-enumerated", 1);
        p.cells("ibm,dma-window", SpaprPhb.liobn(phb.index(), 0), 0, SpaprPhb.DMA_WIN_ADDR, 0, SpaprPhb.DMA_WIN_SIZE);
        p.cells("ibm,#dma-size-cells", 2).cells("ibm,#dma-address-cells", 2);
        long[] map = new long[32 * 4 * 7];
        int k = 0;
        for (int slot = 0; slot < 32; slot++) {
            for (int pin = 1; pin <= 4; pin++) {
                map[k++] = (long) slot << 11;
                map[k++] = 0;
                map[k++] = 0;
                map[k++] = pin;
                map[k++] = INTC_PHANDLE;
                map[k++] = PCI_LSI_BASE + (slot + pin - 1) % 4;
                map[k++] = 1;
            }
        }
        p.cells("interrupt-map", map).cells("interrupt-map-mask", 0xf800, 0, 0, 0xffff_ffffL);
        Map<String, Integer> t = in.rtasTokens();
        if (phb.ddwEnabled() && t.containsKey("ibm,query-pe-dma-window")) {
            if (t.containsKey("ibm,reset-pe-dma-window")) {
                p.cells("ibm,ddw-extensions", 2, t.get("ibm,reset-pe-dma-window"), 1);
            }
            p.cells("ibm,ddw-applicable", t.get("ibm,query-pe-dma-window"), t.get("ibm,create-pe-dma-window"),
                    t.get("ibm,remove-pe-dma-window"));
        }
        p.cells("ibm,pe-total-#msi", PE_TOTAL_MSI).cells("ibm,pci-config-space-type", 1);
        p.cells("reg", phb.buid() >>> 32, phb.buid() & 0xffff_ffffL, 0, 0);
        long base = phb.mmioWindowBase();
        p.cells("ranges",
                0x0100_0000L, 0, 0, base >>> 32, base & 0xffff_ffffL, 0, IO_SIZE,
                0x0200_0000L, 0, MEM32_BUS, (base + MEM32_BUS) >>> 32, (base + MEM32_BUS) & 0xffff_ffffL, 0, MEM32_SIZE,
                0x0300_0000L, MEM64_BASE >>> 32, 0, MEM64_BASE >>> 32, 0, MEM64_SIZE >>> 32, 0);
        p.cells("bus-range", 0, 0xff).empty("used-by-rtas").cells("#interrupt-cells", 1)
                .strings("compatible", "IBM,Logical_PHB").strings("device_type", "pci");
    }

    /** spapr_dt_pci_device for a function on bus 0, BARs as the guest finds them (unassigned). */
    private static void device(FdtNode phbNode, SpaprPhb phb, PciFunction f, String typeName) {
        int devfn = f.devfn().value();
        int classCode = f.configRead(PciRegs.CLASS_PROG, 1) | f.configRead(PciRegs.CLASS_DEVICE, 2) << 8;
        String unit = f.devfn().function() == 0 ? Integer.toHexString(f.devfn().device())
                : Integer.toHexString(f.devfn().device()) + "," + Integer.toHexString(f.devfn().function());
        FdtNode n = phbNode.child(nodeName(classCode, f) + "@" + unit);
        n.cells("max-latency", f.configRead(0x3f, 1)).cells("min-grant", f.configRead(0x3e, 1));
        List<Long> reg = new ArrayList<>(List.of((long) devfn << 8, 0L, 0L, 0L, 0L));
        for (int i = 0; i < PciRegs.BAR_COUNT; i++) {
            MemoryRegion r = f.barRegion(i);
            if (r == null) {
                continue;
            }
            int bar = f.configRead(PciRegs.BASE_ADDRESS_0 + 4 * i, 4);
            long space = (bar & PciRegs.BASE_ADDRESS_SPACE_IO) != 0 ? 0x0100_0000L
                    : (bar & PciRegs.BASE_ADDRESS_MEM_TYPE_64) != 0 ? 0x0300_0000L : 0x0200_0000L;
            if ((bar & PciRegs.BASE_ADDRESS_SPACE_IO) == 0 && (bar & PciRegs.BASE_ADDRESS_MEM_PREFETCH) != 0) {
                space |= 0x4000_0000L;
            }
            reg.addAll(List.of(space | (long) devfn << 8 | (PciRegs.BASE_ADDRESS_0 + 4L * i), 0L, 0L,
                    r.size() >>> 32, r.size() & 0xffff_ffffL));
        }
        n.cells("reg", reg.stream().mapToLong(Long::longValue).toArray());
        int msi = capability(f, PciRegs.CAP_ID_MSI);
        if (msi != 0) {
            int flags = f.configRead(msi + 2, 2);
            n.cells("ibm,req#msi", 1L << ((flags & PciRegs.MSI_FLAGS_QMASK) >>> 1));
        }
        int msix = capability(f, PciRegs.CAP_ID_MSIX);
        if (msix != 0) {
            n.cells("ibm,req#msi-x", (f.configRead(msix + 2, 2) & PciRegs.MSIX_FLAGS_QSIZE) + 1);
        }
        n.strings("ibm,loc-code", String.format("qemu_%s:%04x:%02x:%02x.%1x", typeName, phb.index(), 0,
                f.devfn().device(), f.devfn().function()));
        n.cells("devsel-speed", (f.configRead(PciRegs.STATUS, 2) >>> 9) & 3)
                .cells("cache-line-size", f.configRead(PciRegs.CACHE_LINE_SIZE, 1));
        int subVendor = f.configRead(PciRegs.SUBSYSTEM_VENDOR_ID, 2);
        if (subVendor != 0) {
            n.cells("subsystem-vendor-id", subVendor);
        }
        int subId = f.configRead(PciRegs.SUBSYSTEM_ID, 2);
        if (subId != 0) {
            n.cells("subsystem-id", subId);
        }
        int pin = f.configRead(PciRegs.INTERRUPT_PIN, 1);
        if (pin != 0) {
            n.cells("interrupts", pin);
        }
        n.cells("class-code", classCode).cells("revision-id", f.configRead(PciRegs.REVISION_ID, 1))
                .cells("device-id", f.configRead(PciRegs.DEVICE_ID, 2)).cells("vendor-id", f.configRead(PciRegs.VENDOR_ID, 2));
    }

    /** QEMU's dt_name_from_class for the classes this machine's devices have; pciVVVV,DDDD otherwise. */
    private static String nodeName(int classCode, PciFunction f) {
        int base = classCode >>> 16;
        int sub = (classCode >>> 8) & 0xff;
        if (base == 0x00) {
            return sub == 0x01 ? "display" : "legacy-device";
        }
        if (base == 0x05) {
            return sub == 0x00 ? "memory" : sub == 0x01 ? "flash" : "memory-controller";
        }
        return "pci" + Integer.toHexString(f.configRead(PciRegs.VENDOR_ID, 2)) + ","
                + Integer.toHexString(f.configRead(PciRegs.DEVICE_ID, 2));
    }

    /** The config offset of capability {@code id}, or 0. */
    private static int capability(PciFunction f, int id) {
        if ((f.configRead(PciRegs.STATUS, 2) & PciRegs.STATUS_CAP_LIST) == 0) {
            return 0;
        }
        int at = f.configRead(PciRegs.CAPABILITY_LIST, 1) & 0xfc;
        for (int hops = 0; at != 0 && hops < 48; hops++) {
            if (f.configRead(at, 1) == id) {
                return at;
            }
            at = f.configRead(at + 1, 1) & 0xfc;
        }
        return 0;
    }
}
