/*
 * The KVM fuzzing guest: performs, in order, the accesses of a table the VMM wrote into guest RAM
 * at the address in RDI, then exits with status 0 (2 if the table's magic is wrong). Each entry is
 * a load or store of 1, 2, 4 or 8 bytes at a physical address (identity mapped below 4 GiB), or a
 * port IN or OUT of 1, 2 or 4 bytes. The fuzzer chooses the accesses; the guest adds nothing.
 */
#include "rt.h"

#define TABLE_MAGIC 0x656c6261747a7566UL /* "fuztable" */

enum { MMIO_READ = 0, MMIO_WRITE = 1, PIO_IN = 2, PIO_OUT = 3 };

struct access {
    u8 kind;
    u8 size;
    u16 reserved0;
    u32 reserved1;
    u64 address;
    u64 value;
};

struct table {
    u64 magic;
    u64 count;
    u64 checksum; /* written back: the sum of every value read */
    u64 done;     /* written back: entries performed */
    struct access a[];
};

static u64 mmio_read(u64 addr, u8 size) {
    switch (size) {
    case 1: return *(volatile u8 *) addr;
    case 2: return *(volatile u16 *) addr;
    case 4: return *(volatile u32 *) addr;
    default: return *(volatile u64 *) addr;
    }
}

static void mmio_write(u64 addr, u8 size, u64 v) {
    switch (size) {
    case 1: *(volatile u8 *) addr = (u8) v; break;
    case 2: *(volatile u16 *) addr = (u16) v; break;
    case 4: *(volatile u32 *) addr = (u32) v; break;
    default: *(volatile u64 *) addr = v; break;
    }
}

int guest_main(u64 arg) {
    struct table *t = (struct table *) arg;
    if (t->magic != TABLE_MAGIC) return 2;
    u64 sum = 0;
    for (u64 i = 0; i < t->count; i++) {
        struct access *a = &t->a[i];
        u16 port = (u16) a->address;
        switch (a->kind) {
        case MMIO_READ: sum += mmio_read(a->address, a->size); break;
        case MMIO_WRITE: mmio_write(a->address, a->size, a->value); break;
        case PIO_IN:
            sum += a->size == 1 ? inb(port) : a->size == 2 ? inw(port) : inl(port);
            break;
        default:
            if (a->size == 1) outb(port, (u8) a->value);
            else if (a->size == 2) outw(port, (u16) a->value);
            else outl(port, (u32) a->value);
            break;
        }
        t->done = i + 1;
    }
    t->checksum = sum;
    return 0;
}
