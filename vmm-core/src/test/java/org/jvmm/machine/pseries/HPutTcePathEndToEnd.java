package org.jvmm.machine.pseries;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.jvmm.kvm.spapr.Papr.*;
import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CompletableFuture;
import org.jvmm.address.GuestAddress;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.dispatch.ExitKind;
import org.jvmm.host.kernel.PowerHost;
import org.jvmm.kvm.soft.ScriptedCpu;
import org.jvmm.iommu.FaultReason;
import org.jvmm.vfio.iommu.EehPeOp;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.jvmm.hw.vfio.VfioSpaprSpace;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("H_PUT_TCE end to end: linked (no exit) and unlinked (exit + VMM); edu DMA round trip, unmap faults, outside-window freeze and EEH recovery")
class HPutTcePathEndToEnd {
    private static final long LIOBN = 0x8000_0000L;
    private static final int N = 4096;

    private PseriesMachine m;
    private PowerHost host;
    private ScriptedCpu cpu;
    private long bar;

    private long[] hcall(long nr, long... args) {
        CompletableFuture<long[]> f = cpu.hcall(nr, args);
        m.runUntilIdle();
        return f.join();
    }

    private void writeq(long reg, long v) {
        cpu.store(new GuestAddress(bar + reg), 8, v);
        m.runUntilIdle();
    }

    private long readl(long reg) {
        CompletableFuture<Long> f = cpu.load(new GuestAddress(bar + reg), 4);
        m.runUntilIdle();
        return f.join();
    }

    private void dma(long src, long dst, boolean toRam) {
        writeq(EduDevice.REG_DMA_SRC, src);
        writeq(EduDevice.REG_DMA_DST, dst);
        writeq(EduDevice.REG_DMA_COUNT, N);
        writeq(EduDevice.REG_DMA_CMD, EduDevice.DMA_CMD_RUN | (toRam ? EduDevice.DMA_CMD_TO_RAM : 0));
    }

    private int eeh(int op) {
        return m.vfio().container().eehPeOp(EehPeOp.of(op));
    }

    @ParameterizedTest(name = "kvmTce={0}, link={1}")
    @CsvSource({"true, MAINLINE", "true, SEED_LIOBN", "false, MAINLINE"})
    void putTceMapsAGuestPageForEduDmaThenUnmapsAndAnOutsideDmaFreezesUntilRecovery(boolean kvmTce, VfioSpaprSpace.KvmLink link) {
        host = PowerHost.create();
        m = PseriesMachine.create(host.platform(), 64L << 20, kvmTce, link);
        try {
            m.addVfioPci(PowerHost.EDU, 1);
            cpu = m.cpu();
            bar = m.bar0Address(1);
            assertTrue(m.vfio().errors().isEmpty(), m.vfio().errors().toString());
            assertEquals(EduDevice.ID_REGISTER, readl(EduDevice.REG_ID));

            byte[] pattern = new byte[N];
            for (int i = 0; i < N; i++) {
                pattern[i] = (byte) (i * 13 + 5);
            }
            MemorySegment.copy(pattern, 0, m.ram().segment(), ValueLayout.JAVA_BYTE, 0x200000, N);
            long exitsBefore = m.vcpu().hcallExits();
            assertEquals(H_SUCCESS, hcall(H_PUT_TCE, LIOBN, 0x10000, 0x200000 | 1)[0]); // device may read
            assertEquals(H_SUCCESS, hcall(H_PUT_TCE, LIOBN, 0x11000, 0x300000 | 2)[0]); // device may write
            if (kvmTce) {
                assertEquals(exitsBefore, m.vcpu().hcallExits(), "linked: H_PUT_TCE never left the accelerator");
                assertEquals(0, m.hypercalls().count(H_PUT_TCE));
                assertEquals(0, m.vfio().notifierMaps());
            } else {
                assertEquals(exitsBefore + 2, m.vcpu().hcallExits(), "unlinked: each H_PUT_TCE exited");
                assertEquals(2, m.hypercalls().count(H_PUT_TCE));
                assertEquals(2, m.vfio().notifierMaps());
            }
            assertEquals(0x200001, hcall(H_GET_TCE, LIOBN, 0x10000)[1]);

            dma(0x10000, EduDevice.DMA_BUFFER_START, false); // RAM -> edu through IOBA 0x10000
            dma(EduDevice.DMA_BUFFER_START, 0x11000, true); // edu -> RAM through IOBA 0x11000
            assertArrayEquals(pattern, m.ram().segment().asSlice(0x300000, N).toArray(ValueLayout.JAVA_BYTE));
            assertEquals(2L * N, host.edu().dmaBytesMoved());

            assertEquals(H_SUCCESS, hcall(H_PUT_TCE, LIOBN, 0x10000, 0)[0]);
            dma(0x10000, EduDevice.DMA_BUFFER_START, false);
            assertEquals(2L * N, host.edu().dmaBytesMoved(), "the unmapped page moves nothing");
            assertEquals(FaultReason.UNMAPPED, host.platform().faults().last().reason());

            eeh(VFIO_EEH_PE_ENABLE);
            dma(0x8000_0000L, EduDevice.DMA_BUFFER_START, false); // 2 GiB: outside the 1 GiB window
            assertEquals(FaultReason.OUTSIDE_DMA_WINDOW, host.platform().faults().last().reason());
            assertEquals(0xffff_ffffL, readl(EduDevice.REG_ID), "a frozen PE reads all-ones");
            assertEquals(VFIO_EEH_PE_STATE_STOPPED, eeh(VFIO_EEH_PE_GET_STATE));

            eeh(VFIO_EEH_PE_UNFREEZE_IO);
            eeh(VFIO_EEH_PE_RESET_HOT);
            eeh(VFIO_EEH_PE_RESET_DEACTIVATE);
            eeh(VFIO_EEH_PE_CONFIGURE);
            assertEquals(VFIO_EEH_PE_STATE_NORMAL, eeh(VFIO_EEH_PE_GET_STATE));
            assertEquals(EduDevice.ID_REGISTER, readl(EduDevice.REG_ID));
            m.ram().segment().asSlice(0x300000, N).fill((byte) 0);
            assertEquals(H_SUCCESS, hcall(H_PUT_TCE, LIOBN, 0x10000, 0x200000 | 1)[0]);
            dma(0x10000, EduDevice.DMA_BUFFER_START, false);
            dma(EduDevice.DMA_BUFFER_START, 0x11000, true);
            assertArrayEquals(pattern, m.ram().segment().asSlice(0x300000, N).toArray(ValueLayout.JAVA_BYTE));
            assertTrue(m.exitCounters().count(ExitKind.MMIO) > 0);
            assertTrue(m.vfio().errors().isEmpty(), m.vfio().errors().toString());
        } finally {
            m.close();
        }
    }
}
