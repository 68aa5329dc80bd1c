package org.jvmm.devices.edu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.devices.edu.EduDevice.REG_FACTORIAL;

import org.jvmm.pci.PciRegs;
import org.jvmm.testing.DeviceRig;
import org.jvmm.testing.Hosts;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Found by the qtest fuzzer (a 6 s script: {@code memset} of edu's factorial register): the
 * factorial counted a guest's number down one multiplication at a time on the vCPU's thread
 * (seconds for 0x7fffffff), and read numbers from 0x80000000 on as negative (answering 1). QEMU's
 * edu (hw/misc/edu.c, edu_fact_thread) multiplies an unsigned 32-bit count down; 34! is a
 * multiple of 2^32, so every count from 34 on gives 0.
 */
@DisplayName("edu factorial: the unsigned product modulo 2^32 (0 from 34 on), for every 32-bit count")
class EduFactorialIsTheUnsignedProductModulo2To32 {

    private static long factorial(DeviceRig rig, long n) {
        rig.write(0, REG_FACTORIAL, 4, n);
        return rig.read(0, REG_FACTORIAL, 4);
    }

    @Test
    void smallLargeAndTopBitCounts() {
        try (DeviceRig rig = new DeviceRig(Hosts.EDU)) {
            rig.setConfig(0x04, 2, PciRegs.COMMAND_MEMORY);
            long p = 1;
            for (int n = 1; n <= 33; n++) {
                p = (p * n) & 0xffff_ffffL;
            }
            assertEquals(p, factorial(rig, 33));
            assertEquals(0x8000_0000L, p & 0xffff_ffffL, "33! holds 2^31 exactly");
            assertEquals(0, factorial(rig, 34));
            assertEquals(0, factorial(rig, 0x7fff_ffffL));
            assertEquals(0, factorial(rig, 0x8000_0000L));
            assertEquals(0, factorial(rig, 0xffff_ffffL));
            assertEquals(1, factorial(rig, 0));
            assertEquals(3628800, factorial(rig, 10));
        }
    }
}
