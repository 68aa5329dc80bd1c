package org.jvmm.machine.pseries;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.kvm.spapr.Papr.*;

import java.util.concurrent.CompletableFuture;
import org.jvmm.address.Iova;
import org.jvmm.host.kernel.PowerHost;
import org.jvmm.vfio.iommu.SpaprTceIommu;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("A vfio-pci device added after the guest wrote TCEs gets them: the window listener replays the IOMMU region (QEMU's replay)")
class VfioWindowReplaysEarlierTces {

    @ParameterizedTest(name = "kvmTce={0}")
    @ValueSource(booleans = {true, false})
    void tcesWrittenBeforeTheContainerExistedAreMappedOnItsWindow(boolean kvmTce) {
        PowerHost host = PowerHost.create();
        try (PseriesMachine m = PseriesMachine.create(host.platform(), 32L << 20, kvmTce)) {
            CompletableFuture<long[]> a = m.cpu().hcall(H_PUT_TCE, 0x8000_0000L, 0x7000, 0x123000 | 3);
            CompletableFuture<long[]> b = m.cpu().hcall(H_PUT_TCE, 0x8000_0000L, 0x9000, 0x456000 | 1);
            m.runUntilIdle();
            assertEquals(H_SUCCESS, a.join()[0]);
            assertEquals(H_SUCCESS, b.join()[0]);
            m.addVfioPci(PowerHost.EDU, 2);
            SpaprTceIommu iommu = (SpaprTceIommu) m.vfio().container().backend();
            long ram = m.ram().hostAddress().value();
            assertEquals((ram + 0x123000) | 3, iommu.table(0).get(7));
            assertEquals((ram + 0x456000) | 1, iommu.table(0).get(9));
            assertEquals(0, iommu.table(0).get(8));
            assertEquals(2, m.vfio().notifierMaps());
            assertEquals(null, iommu.transfer(new Iova(0x7000), java.lang.foreign.MemorySegment.ofArray(new byte[16]), true));
        }
    }
}
