/* Guest (a): prints a greeting on the serial port and exits with status 0. */
#include "rt.h"

int guest_main(u64 arg) {
    printf("hello from the x86-toy guest (arg %lu)\n", arg);
    return 0;
}
