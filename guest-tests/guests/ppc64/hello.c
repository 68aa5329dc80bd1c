/* Prints a greeting on the vty (H_PUT_TERM_CHAR) and powers off through RTAS. */
#include "rt.h"

void guest_main(void) {
    printf("hello from a " ENDIAN_NAME " pseries guest\n");
    if (set_mode_status != -1) printf("H_SET_MODE(little-endian interrupts) = %d\n", (int) set_mode_status);
    printf("entry msr 0x%lx, now 0x%lx\n", entry_msr, mfmsr());
}
