/*
 * Scans bus 0 of PHB 0 through ibm,read-pci-config, prints each function 0 it finds with its
 * capabilities, checks that an absent slot and bad accesses are RTAS errors, sizes and assigns
 * the BARs from the PHB's 32-bit window, and turns on memory decode and bus mastering.
 */
#include "rt.h"

void guest_main(void) {
    if (phb_init()) fail("no PHB");
    printf("phb buid 0x%lx, mem32 pci 0x%lx -> cpu 0x%lx\n", phb.buid, phb.mem32_pci, phb.mem32_cpu);
    u64 next = 0;
    int found = 0, first_absent = -1;
    for (int devfn = 0; devfn < 256; devfn += 8) {
        int st;
        u32 id = pci_read(devfn, 0, 4, &st);
        if (st) {
            if (first_absent < 0) first_absent = devfn;
            continue;
        }
        found++;
        u32 class = pci_read(devfn, 8, 4, 0);
        u32 cmd = pci_read(devfn, 4, 2, 0);
        printf("00:%02x.0 %04x:%04x class %06x rev %02x header %02x command 0x%04x\n", (u32) devfn >> 3,
               id & 0xffff, id >> 16, class >> 8, class & 0xff, pci_read(devfn, 0xe, 1, 0), cmd);
        printf("  subsystem %04x:%04x, interrupt pin %u\n", pci_read(devfn, 0x2c, 2, 0),
               pci_read(devfn, 0x2e, 2, 0), pci_read(devfn, 0x3d, 1, 0));
        if (pci_read(devfn, 6, 2, 0) & 0x10) {
            for (u32 at = pci_read(devfn, 0x34, 1, 0) & ~3u, n = 0; at && n < 48; n++) {
                u32 hdr = pci_read(devfn, (int) at, 2, 0);
                printf("  capability 0x%02x at 0x%02x\n", hdr & 0xff, at);
                at = (hdr >> 8) & ~3u;
            }
        }
        for (int bar = 0; bar < 6; bar++) {
            int reg = 0x10 + 4 * bar;
            u32 v = pci_read(devfn, reg, 4, 0);
            check(v == 0 || (v & 1) || (v & 6) == 4, "BAR unassigned at boot");
            u32 size = 0;
            if (v & 1) continue;
            u64 cpu = pci_assign_bar32(devfn, bar, next, &size);
            if (!cpu) continue;
            printf("  BAR%d: %u KiB memory at pci 0x%lx (cpu 0x%lx), reads back 0x%08x\n", bar, size >> 10,
                   phb.mem32_pci + next, cpu, pci_read(devfn, reg, 4, 0));
            next += size;
            if ((v & 6) == 4) bar++;
        }
        pci_write(devfn, 4, 2, cmd | 0x6);
        printf("  command 0x%04x -> 0x%04x\n", cmd, pci_read(devfn, 4, 2, 0));
    }
    printf("%d device(s) on bus 0\n", found);
    int st;
    u32 v = pci_read(first_absent, 0, 4, &st);
    printf("absent slot 00:%02x.0: status %d, value 0x%x\n", (u32) first_absent >> 3, st, v);
    check(st == -1, "an absent slot is an RTAS hardware error");
    if (found) {
        int d = 0;
        while (pci_read(d, 0, 4, &st), st) d += 8;
        u32 rets[2];
        rtas_call("ibm,read-pci-config", 4, 2, rets, pci_cfg_addr(d, 2), (u32) (phb.buid >> 32), (u32) phb.buid, 4u);
        printf("misaligned 4-byte read: status %d\n", (int) rets[0]);
        rtas_call("ibm,read-pci-config", 4, 2, rets, pci_cfg_addr(d, 0), (u32) (phb.buid >> 32), (u32) phb.buid, 3u);
        printf("3-byte read: status %d\n", (int) rets[0]);
        rtas_call("ibm,read-pci-config", 4, 2, rets, pci_cfg_addr(d, 0), 0x1234u, 0u, 4u);
        printf("unknown BUID: status %d\n", (int) rets[0]);
        rtas_call("ibm,read-pci-config", 3, 2, rets, pci_cfg_addr(d, 0), (u32) (phb.buid >> 32), (u32) phb.buid);
        printf("3 arguments: status %d\n", (int) rets[0]);
        rtas_call("read-pci-config", 2, 2, rets, pci_cfg_addr(d, 0), 4u);
        printf("read-pci-config (PHB 0): status %d, value 0x%x\n", (int) rets[0], rets[1]);
    }
}
