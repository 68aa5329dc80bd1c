/*
 * Powers off through RTAS "power-off" right away: the run must end with status 0 and nothing
 * printed after this line (the runtime would print FAIL and loop in H_CEDE if it returned).
 */
#include "rt.h"

void guest_main(void) {
    u32 rets[1];
    printf("power-off token 0x%x\n", (u32) rtas_token("power-off"));
    console_flush();
    rtas_call("power-off", 2, 1, rets, 0xffffffffu, 0xffffffffu);
    printf("FAIL: power-off returned %d\n", (int) rets[0]);
}
