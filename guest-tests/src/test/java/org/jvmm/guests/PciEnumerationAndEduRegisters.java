package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Guest (b): PCI enumeration finds the host bridge and edu; edu's registers answer through vfio-pci. */
class PciEnumerationAndEduRegisters {

    @BeforeEach
    void needsKvm() {
        KvmAvailable.assume();
    }

    @Test
    void theGuestSeesBothFunctionsAndEveryEduCheckPasses() throws Exception {
        try (EduMachine m = new EduMachine(64L << 20)) {
            var r = m.boot("pci-edu");
            assertEquals("""
                    pci 00:00.0 1b36:0008 class 060000
                    pci 00:03.0 1234:11e8 class 00ff00
                    edu: id 0x010000ed
                    edu: liveness 0xedcba987
                    edu: 10! = 3628800
                    edu: 12! = 479001600 with 1 interrupt(s)
                    pci-edu: PASS
                    """, m.console());
            assertTrue(r.exitedWith(1), r.toString());
            assertTrue(m.vfioEdu.trappedReads() > 0);
        }
    }
}
