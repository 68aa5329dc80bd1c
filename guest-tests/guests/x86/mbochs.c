/*
 * Guest (g): the mbochs sample mdev (samples/vfio-mdev/mbochs.c) with display=on. The guest
 * places BAR0 (video memory) and BAR2 (the dispi registers), draws a test pattern into a 128x96
 * XRGB8888 mode and enables it.
 *   checkpoint 1: the VMM dumps the screen (the pattern) and counts one fault-in of the BAR.
 *   The guest turns memory decode off (the mapping is revoked) and on again,
 *   then draws a white 16x16 square at (8, 8): the next touch faults the BAR in again.
 *   checkpoint 2: the VMM dumps the screen again.
 */
#include "rt.h"

#define MBOCHS_VENDOR 0x1234
#define MBOCHS_DEVICE 0x1111
#define VRAM 0xc0000000UL
#define REGS 0xc1000000UL
#define W 128
#define H 96

static void dispi(int index, u16 value) { *(volatile u16 *) (REGS + 0x500 + 2 * index) = value; }
static u16 dispi_read(int index) { return *(volatile u16 *) (REGS + 0x500 + 2 * index); }

int guest_main(u64 arg) {
    (void) arg;
    int dev = pci_find(MBOCHS_VENDOR, MBOCHS_DEVICE);
    if (dev < 0) {
        printf("mbochs: no device\n");
        return 1;
    }
    u32 vram = pci_assign_bar(dev, 0, (u32) VRAM);
    u32 mmio = pci_assign_bar(dev, 2, (u32) REGS);
    pci_write16(dev, 0, 0x04, 0x0002);
    printf("mbochs: id 0x%x, video memory %u KiB (BAR0 %u KiB), BAR2 %u bytes\n", dispi_read(0), dispi_read(10) * 64u,
           vram >> 10, mmio);
    dispi(4, 0);
    dispi(1, W);
    dispi(2, H);
    dispi(3, 32);
    volatile u32 *fb = (volatile u32 *) VRAM;
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            fb[y * W + x] = (u32) (x * 2) << 16 | (u32) (y * 2) << 8 | 0x40;
        }
    }
    dispi(4, 1);
    checkpoint(1);
    pci_write16(dev, 0, 0x04, 0x0000); /* decode off: the VMM loses the BAR mapping */
    pci_write16(dev, 0, 0x04, 0x0002);
    for (int y = 8; y < 24; y++) {
        for (int x = 8; x < 24; x++) {
            fb[y * W + x] = 0x00ffffff;
        }
    }
    u32 corner = fb[0];
    checkpoint(2);
    int ok = corner == 0x40;
    printf("mbochs: pixel (0,0) 0x%x, pixel (8,8) 0x%x\n", corner, fb[8 * W + 8]);
    printf("mbochs: %s\n", ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
