/* Walks the device tree the machine passed in r3 and prints the nodes and properties the other
 * guests rely on: the console, the RTAS tokens, the CPU's timebase, memory, XICS and PHB 0. */
#include "rt.h"

static void str(int node, const char *name) {
    const char *v = fdt_prop(node, name, 0);
    printf("  %s = \"%s\"\n", name, v ? v : "(absent)");
}

static void cells(int node, const char *name) {
    int len;
    const u8 *p = fdt_prop(node, name, &len);
    printf("  %s =", name);
    if (!p) printf(" (absent)");
    for (int i = 0; p && i < len / 4; i++) printf(" 0x%x", fdt_cell(node, name, i));
    printf("\n");
}

static int has_string(int node, const char *name, const char *want) {
    int len;
    const char *p = fdt_prop(node, name, &len);
    for (int at = 0; p && at < len; at += (int) strlen(p + at) + 1)
        if (!strcmp(p + at, want)) return 1;
    return 0;
}

static const char *const rtas_calls[] = {
    "display-character", "get-time-of-day", "power-off", "system-reboot", "ibm,set-xive", "ibm,get-xive",
    "ibm,int-off", "ibm,int-on", "read-pci-config", "write-pci-config", "ibm,read-pci-config",
    "ibm,write-pci-config", "ibm,query-interrupt-source-number", "ibm,change-msi", "ibm,os-term",
    "ibm,set-eeh-option", "ibm,read-slot-reset-state2", "ibm,set-slot-reset", "ibm,configure-pe",
    "ibm,query-pe-dma-window", "ibm,create-pe-dma-window", "ibm,remove-pe-dma-window",
};

static const char *const hcall_sets[] = {"hcall-term", "hcall-tce", "hcall-multi-tce", "hcall-set-mode",
                                         "hcall-interrupt"};

void guest_main(void) {
    if (!fdt || fdt_path("/") < 0) fail("no flattened device tree in r3");
    printf("fdt: version %u, last compatible %u, boot cpu %u\n", be32_to_cpu(((const u32 *) fdt)[5]),
           be32_to_cpu(((const u32 *) fdt)[6]), be32_to_cpu(((const u32 *) fdt)[7]));
    int root = fdt_path("/");
    printf("/\n");
    str(root, "compatible");
    str(root, "device_type");
    cells(root, "#address-cells");
    cells(root, "#size-cells");

    int chosen = fdt_path("/chosen");
    printf("/chosen\n");
    str(chosen, "stdout-path");
    const char *out = fdt_prop(chosen, "stdout-path", 0);
    int vty = out ? fdt_path(out) : -1;
    printf("%s\n", out ? out : "(no stdout-path)");
    str(vty, "compatible");
    str(vty, "device_type");
    cells(vty, "reg");

    int cpu = fdt_child(fdt_path("/cpus"));
    printf("/cpus/%s\n", cpu >= 0 ? fdt_name(cpu) : "(none)");
    str(cpu, "device_type");
    cells(cpu, "reg");
    cells(cpu, "timebase-frequency");

    int mem = fdt_path("/memory@0");
    printf("/memory@0\n");
    str(mem, "device_type");
    cells(mem, "reg");

    int icp = fdt_path("/interrupt-controller");
    printf("/interrupt-controller\n");
    str(icp, "compatible");
    cells(icp, "ibm,interrupt-server-ranges");

    int rtas = fdt_path("/rtas");
    printf("/rtas\n");
    for (u64 i = 0; i < sizeof rtas_calls / sizeof rtas_calls[0]; i++) {
        int t = rtas_token(rtas_calls[i]);
        if (t < 0) printf("  %s: absent\n", rtas_calls[i]);
        else printf("  %s = 0x%x\n", rtas_calls[i], (u32) t);
    }
    for (u64 i = 0; i < sizeof hcall_sets / sizeof hcall_sets[0]; i++)
        printf("  ibm,hypertas-functions has %s: %s\n", hcall_sets[i],
               has_string(rtas, "ibm,hypertas-functions", hcall_sets[i]) ? "yes" : "no");

    if (phb_init()) fail("no PHB node");
    printf("/%s\n", fdt_name(phb.node));
    str(phb.node, "device_type");
    cells(phb.node, "reg");
    cells(phb.node, "#address-cells");
    cells(phb.node, "#size-cells");
    cells(phb.node, "ranges");
    cells(phb.node, "ibm,dma-window");
    cells(phb.node, "ibm,ddw-applicable");
    cells(phb.node, "ibm,pe-total-#msi");
    printf("phb: buid 0x%lx, liobn 0x%x, dma window [0x%lx, +0x%lx)\n", phb.buid, phb.liobn, phb.dma_base,
           phb.dma_size);
    printf("phb: mem32 pci 0x%lx -> cpu 0x%lx (+0x%lx), mem64 pci 0x%lx -> cpu 0x%lx (+0x%lx)\n", phb.mem32_pci,
           phb.mem32_cpu, phb.mem32_size, phb.mem64_pci, phb.mem64_cpu, phb.mem64_size);
    check(vty >= 0 && fdt_cell(vty, "reg", 0) != 0, "the console is a vty with a unit address");
    check(rtas_token("power-off") == 0x2003, "power-off has QEMU's token 0x2003");
    check(rtas_token("ibm,read-pci-config") == 0x2016, "ibm,read-pci-config has QEMU's token 0x2016");
    check(phb.liobn != 0 && phb.dma_size != 0, "PHB 0 has a default DMA window");
}
