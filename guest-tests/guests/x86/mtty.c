/*
 * Guest (f): the mtty sample mdev (samples/vfio-mdev/mtty.c) through vfio-pci sysfsdev=. Port 0 of
 * the card is a 16550 whose transmitter loops back into its receiver: the guest places BAR0 (8 I/O
 * ports), enables the FIFO and the received-data interrupt, routes INTx through the IOAPIC
 * (level), then writes a message one byte at a time; each byte comes back on RBR in the INTx
 * handler. A byte after the first only interrupts if the previous EOI let the VMM unmask INTx.
 *
 * With a non-zero argument n the guest then turns the interrupt off, leaves "pending" in the FIFO
 * and 0x5a in SCR, and passes checkpoint n (where the VMM may migrate the card, -mdev-migrate);
 * afterwards it reads the bytes and SCR back by polling LSR, and passes only if they are unchanged.
 */
#include "rt.h"

#define MTTY_VENDOR 0x4348
#define MTTY_DEVICE 0x3253
#define PORT 0xc000
#define IOAPIC 0xfec00000UL
#define INTX_VECTOR 0x43

static volatile int irqs;
static volatile int got;
static char rx[32];

static void ioapic_write(u32 reg, u32 value) {
    mmio_write32(IOAPIC, reg);
    mmio_write32(IOAPIC + 0x10, value);
}

static void handler(int vector) {
    if (vector == INTX_VECTOR) {
        irqs++;
        while (inb(PORT + 5) & 0x01) { /* LSR data ready */
            if (got < (int) sizeof(rx) - 1) rx[got++] = (char) inb(PORT);
            else (void) inb(PORT);
        }
    }
    lapic_eoi();
}

int guest_main(u64 arg) {

    int dev = pci_find(MTTY_VENDOR, MTTY_DEVICE);
    if (dev < 0) {
        printf("mtty: no device\n");
        return 1;
    }
    pci_write32(dev, 0, 0x10, 0xffffffffu);
    u32 mask = pci_read32(dev, 0, 0x10);
    pci_write32(dev, 0, 0x10, PORT | 1);
    pci_write16(dev, 0, 0x04, 0x0001); /* I/O decode */
    u8 line = pci_read8(dev, 0, 0x3c);
    idt_setup(handler);
    lapic_enable();
    ioapic_write(0x11 + 2 * line, 0);
    ioapic_write(0x10 + 2 * line, INTX_VECTOR | (1u << 15));
    outb(PORT + 2, 0x07); /* FCR: FIFO on, both cleared (the trigger level becomes 1) */
    outb(PORT + 1, 0x01); /* IER: received data available */
    const char *msg = "jvmm-mtty";
    int n = 0;
    for (; msg[n]; n++) {
        outb(PORT, (u8) msg[n]);
        for (u64 spins = 0; got <= n && spins < 200000000UL; spins++) {
            __asm__ volatile("sti; pause; cli");
        }
    }
    rx[got] = 0;
    int same = got == n;
    for (int i = 0; same && i < n; i++) same = rx[i] == msg[i];
    printf("mtty: BAR0 mask 0x%x, iir 0x%x, lsr 0x%x\n", mask, inb(PORT + 2), inb(PORT + 5));
    printf("mtty: wrote '%s', read back '%s' with %d interrupts\n", msg, rx, irqs);
    int ok = same && irqs == n;
    if (arg) {
        const char *pend = "pending";
        outb(PORT + 1, 0x00); /* IER off: what is written stays in the FIFO */
        outb(PORT + 7, 0x5a); /* SCR */
        int m = 0;
        for (; pend[m]; m++) outb(PORT, (u8) pend[m]);
        checkpoint((u32) arg);
        char back[20];
        int k = 0;
        while ((inb(PORT + 5) & 0x01) && k < (int) sizeof(back) - 1) back[k++] = (char) inb(PORT);
        back[k] = 0;
        u8 scr = inb(PORT + 7);
        int kept = k == m && scr == 0x5a;
        for (int i = 0; kept && i < m; i++) kept = back[i] == pend[i];
        printf("mtty: after checkpoint %d read back '%s' and SCR 0x%x (left '%s' and 0x5a)\n", (int) arg, back, scr, pend);
        ok = ok && kept;
    }
    printf("mtty: %s\n", ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
