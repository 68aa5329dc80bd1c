package org.jvmm.machine.pseries;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.kvm.spapr.Papr.*;

import java.util.concurrent.CompletableFuture;
import org.jvmm.address.GuestAddress;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.host.kernel.PowerHost;
import org.jvmm.hw.spapr.SpaprPhb;
import org.jvmm.iommu.FaultReason;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("EEH end to end from the guest: a DMA outside the window freezes the PE; the RTAS EEH calls run the recovery sequence of Documentation/vfio.txt (seed 004)")
class EehRecoveryThroughRtas {
    private static final long ARGS = 0x8000;
    private static final long HI = SpaprPhb.BUID_BASE >>> 32;
    private static final long LO = SpaprPhb.BUID_BASE & 0xffff_ffffL;

    private static long[] rtas(PseriesMachine m, String name, int nret, long... args) {
        var mem = m.systemMemory();
        mem.write(new GuestAddress(ARGS), 4, m.rtas().token(name));
        mem.write(new GuestAddress(ARGS + 4), 4, args.length);
        mem.write(new GuestAddress(ARGS + 8), 4, nret);
        for (int i = 0; i < args.length; i++) {
            mem.write(new GuestAddress(ARGS + 12 + 4L * i), 4, args[i]);
        }
        CompletableFuture<long[]> f = m.cpu().hcall(KVMPPC_H_RTAS, ARGS);
        m.runUntilIdle();
        assertEquals(H_SUCCESS, f.join()[0]);
        long[] rets = new long[nret];
        for (int i = 0; i < nret; i++) {
            rets[i] = (int) mem.read(new GuestAddress(ARGS + 12 + 4L * args.length + 4L * i), 4);
        }
        return rets;
    }

    private static long readl(PseriesMachine m, long a) {
        CompletableFuture<Long> f = m.cpu().load(new GuestAddress(a), 4);
        m.runUntilIdle();
        return f.join();
    }

    @Test
    void theGuestRecoversAFrozenPeWithRtasAlone() {
        PowerHost host = PowerHost.create();
        try (PseriesMachine m = PseriesMachine.create(host.platform(), 64L << 20, true)) {
            m.addVfioPci(PowerHost.EDU, 1);
            long bar = m.bar0Address(1);
            assertArrayEquals(new long[] {0}, rtas(m, "ibm,set-eeh-option", 1, 0, HI, LO, 1));
            assertArrayEquals(new long[] {0, 0, 1, 1000}, rtas(m, "ibm,read-slot-reset-state2", 4, 0, HI, LO));

            m.cpu().store(new GuestAddress(bar + EduDevice.REG_DMA_SRC), 8, 0x4000_0000L); // just past the 1 GiB window
            m.cpu().store(new GuestAddress(bar + EduDevice.REG_DMA_DST), 8, EduDevice.DMA_BUFFER_START);
            m.cpu().store(new GuestAddress(bar + EduDevice.REG_DMA_COUNT), 8, 8);
            m.cpu().store(new GuestAddress(bar + EduDevice.REG_DMA_CMD), 8, EduDevice.DMA_CMD_RUN);
            m.runUntilIdle();
            assertEquals(FaultReason.OUTSIDE_DMA_WINDOW, host.platform().faults().last().reason());
            assertEquals(0xffff_ffffL, readl(m, bar + EduDevice.REG_ID));
            assertArrayEquals(new long[] {0, 2, 1, 1000, 0}, rtas(m, "ibm,read-slot-reset-state2", 5, 0, HI, LO));

            assertArrayEquals(new long[] {0}, rtas(m, "ibm,set-eeh-option", 1, 0, HI, LO, 2)); // thaw MMIO
            assertEquals(EduDevice.ID_REGISTER, readl(m, bar + EduDevice.REG_ID));
            assertArrayEquals(new long[] {0, 4, 1, 1000}, rtas(m, "ibm,read-slot-reset-state2", 4, 0, HI, LO));
            assertArrayEquals(new long[] {0}, rtas(m, "ibm,set-slot-reset", 1, 0, HI, LO, 1)); // hot reset
            assertArrayEquals(new long[] {0, 1, 1, 1000}, rtas(m, "ibm,read-slot-reset-state2", 4, 0, HI, LO));
            assertArrayEquals(new long[] {0}, rtas(m, "ibm,set-slot-reset", 1, 0, HI, LO, 0)); // deactivate
            assertArrayEquals(new long[] {0}, rtas(m, "ibm,configure-pe", 1, 0, HI, LO));
            assertArrayEquals(new long[] {0, 0, 1, 1000}, rtas(m, "ibm,read-slot-reset-state2", 4, 0, HI, LO));
            assertEquals(EduDevice.ID_REGISTER, readl(m, bar + EduDevice.REG_ID));

            assertArrayEquals(new long[] {-3}, rtas(m, "ibm,set-slot-reset", 1, 0, HI, LO, 2), "option 2 is not a reset");
            assertArrayEquals(new long[] {-3}, rtas(m, "ibm,configure-pe", 1, 0, HI, LO + 1), "unknown BUID");
            assertArrayEquals(new long[] {-3}, rtas(m, "ibm,set-eeh-option", 1, 0, HI, LO), "three arguments");
        }
    }
}
