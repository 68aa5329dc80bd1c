/*
 * A benchmark guest: sets edu up, then reads its identification register forever, so every
 * iteration is one trapped MMIO read through the whole VMM path (exit, dispatch, vfio-pci, region
 * read). The harness stops it by running a fixed number of exits.
 */
#include "edu.h"

int guest_main(u64 arg) {
    (void) arg;
    if (edu_setup() < 0) return 1;
    for (;;) (void) mmio_read32(EDU_BAR0 + EDU_ID);
}
