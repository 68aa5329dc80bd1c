package org.jvmm.machine.pseries;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.jvmm.kvm.spapr.Papr.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CompletableFuture;
import org.jvmm.address.GuestAddress;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.host.kernel.PowerHost;
import org.jvmm.hw.spapr.SpaprPhb;
import org.jvmm.hw.vfio.VfioSpaprSpace;
import org.jvmm.vfio.iommu.SpaprTceIommu;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("DDW end to end: RTAS creates the 64-bit window, the host window follows, H_PUT_TCE maps it (both paths, both KVM links), edu DMA uses it, remove takes it away")
class DdwWindowEndToEnd {
    private static final long ARGS = 0x8000;
    private static final long DDW_LIOBN = 0x8000_0001L;

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
            rets[i] = mem.read(new GuestAddress(ARGS + 12 + 4L * args.length + 4L * i), 4);
        }
        return rets;
    }

    @ParameterizedTest(name = "kvmTce={0}, link={1}")
    @CsvSource({"true, MAINLINE", "true, SEED_LIOBN", "false, MAINLINE"})
    void theGuestsDynamicWindowBecomesAHostWindowThatDeviceDmaUses(boolean kvmTce, VfioSpaprSpace.KvmLink link) {
        PowerHost host = PowerHost.create();
        try (PseriesMachine m = PseriesMachine.create(host.platform(), 64L << 20, kvmTce, link)) {
            m.addVfioPci(PowerHost.EDU, 1);
            long hi = SpaprPhb.BUID_BASE >>> 32;
            long lo = SpaprPhb.BUID_BASE & 0xffff_ffffL;
            long[] r = rtas(m, "ibm,create-pe-dma-window", 4, 0, hi, lo, 16, 30);
            assertEquals(0, r[0]);
            assertEquals(DDW_LIOBN, r[1]);
            long start = r[2] << 32 | r[3];
            assertEquals(SpaprPhb.DMA64_WIN_ADDR, start);
            SpaprTceIommu iommu = (SpaprTceIommu) m.vfio().container().backend();
            assertEquals(16, iommu.table(1).pageShift());
            assertEquals(start, iommu.table(1).busStart().value());
            if (kvmTce) {
                assertTrue(m.phb().table(1).kvmTable().linked(), "the DDW table is linked to the host window");
            }

            byte[] pattern = new byte[4096];
            for (int i = 0; i < pattern.length; i++) {
                pattern[i] = (byte) (i * 7);
            }
            MemorySegment.copy(pattern, 0, m.ram().segment(), ValueLayout.JAVA_BYTE, 0x410000 + 0x3000, 4096);
            long exits = m.vcpu().hcallExits();
            CompletableFuture<long[]> put = m.cpu().hcall(H_PUT_TCE, DDW_LIOBN, start + 0x20000, 0x410000 | 3);
            m.runUntilIdle();
            assertEquals(H_SUCCESS, put.join()[0]);
            assertEquals(kvmTce ? exits : exits + 1, m.vcpu().hcallExits());

            long bar = m.bar0Address(1);
            m.cpu().store(new GuestAddress(bar + EduDevice.REG_DMA_SRC), 8, start + 0x23000);
            m.cpu().store(new GuestAddress(bar + EduDevice.REG_DMA_DST), 8, EduDevice.DMA_BUFFER_START);
            m.cpu().store(new GuestAddress(bar + EduDevice.REG_DMA_COUNT), 8, 4096);
            m.cpu().store(new GuestAddress(bar + EduDevice.REG_DMA_CMD), 8, EduDevice.DMA_CMD_RUN);
            m.runUntilIdle();
            assertEquals(4096, host.edu().dmaBytesMoved(), "the 64-bit window carried the DMA");
            // and back into another 64 KiB page of the window
            put = m.cpu().hcall(H_PUT_TCE, DDW_LIOBN, start + 0x30000, 0x600000 | 2);
            m.cpu().store(new GuestAddress(bar + EduDevice.REG_DMA_SRC), 8, EduDevice.DMA_BUFFER_START);
            m.cpu().store(new GuestAddress(bar + EduDevice.REG_DMA_DST), 8, start + 0x30000);
            m.cpu().store(new GuestAddress(bar + EduDevice.REG_DMA_CMD), 8, EduDevice.DMA_CMD_RUN | EduDevice.DMA_CMD_TO_RAM);
            m.runUntilIdle();
            assertEquals(H_SUCCESS, put.join()[0]);
            assertArrayEquals(pattern, m.ram().segment().asSlice(0x600000, 4096).toArray(ValueLayout.JAVA_BYTE));

            assertEquals(0, rtas(m, "ibm,remove-pe-dma-window", 1, DDW_LIOBN)[0]);
            assertNull(iommu.table(1), "the host window went with the guest's");
            assertTrue(m.vfio().errors().isEmpty(), m.vfio().errors().toString());
        }
    }
}
