package org.jvmm.guests;

import static org.jvmm.vfio.uapi.VfioUapi.VFIO_TYPE1v2_IOMMU;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jvmm.devices.msixdoorbell.MsixDoorbellDevice;
import org.jvmm.host.kernel.HostKernel;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.memory.LockedMemoryAccount;
import org.jvmm.hw.vfio.VfioPciDevice;
import org.jvmm.machine.x86.X86ToyMachine;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioDevice;
import org.jvmm.vfio.VfioGroup;
import org.jvmm.vfiouser.VfioUserClient;
import org.jvmm.vfiouser.VfioUserDevice;
import org.jvmm.vfiouser.VfioUserServer;
import org.jvmm.vfiouser.VfioUserSocket;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The msix guest of {@code MsixVectorsThroughVfioPci}, unchanged, with the MSI-X doorbell device
 * behind a vfio-user server (a thread here: serve-device does not offer this device): each
 * vector's eventfd travels with SET_IRQS, a masked vector is detached with a stand-in eventfd
 * (VFIO's -1 cannot travel), and the guest sees what it sees in process.
 */
@DisplayName("the msix guest runs unchanged with the doorbell device behind a vfio-user server")
class MsixGuestOverVfioUser {
    private static final PciAddress HOST = PciAddress.parse("0000:00:05.0");

    @BeforeEach
    void needsKvm() {
        KvmAvailable.assume();
    }

    @Test
    void bothVectorsArriveAMaskedOneDoesNotAndDisablingReleasesThem() throws Exception {
        HostMemoryRegistry registry = new HostMemoryRegistry();
        MsixDoorbellDevice doorbell = new MsixDoorbellDevice();
        HostPciPlatform platform = HostKernel.builder().memory(registry).memlock(new LockedMemoryAccount(1L << 30, false))
                .endpoint(HOST.toString(), doorbell, HostPciPlatform.VFIO_PCI, true).build();
        VfioContainer container = VfioContainer.open(platform);
        VfioGroup group = VfioGroup.open(platform, platform.iommuGroupOf(HOST));
        group.setContainer(container);
        container.setIommu(VFIO_TYPE1v2_IOMMU);
        VfioDevice device = group.getDeviceFd(HOST.toString());
        VfioUserSocket[] pair = VfioUserSocket.pair(16, 1 << 21);
        VfioUserServer server = new VfioUserServer(device, container, pair[1], 16, 1 << 20);
        Thread thread = Thread.ofPlatform().name("vfio-user-server").start(server);
        List<String> reports = new ArrayList<>();
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (X86ToyMachine machine = X86ToyMachine.create(registry, 64L << 20, console)) {
            VfioUserClient client = new VfioUserClient(pair[0], reports::add);
            client.negotiate(16, 1 << 20);
            VfioPciDevice vfio = machine.addVfioDeviceFile("vfio-user-5", VfioUserDevice.over("vfio-user:doorbell", client, registry), 5, false);
            machine.boot(GuestImages.x86("msix"), 0);
            X86ToyMachine.RunResult result = machine.run(Duration.ofSeconds(30), null);
            assertEquals(MsixVectorsThroughVfioPci.MSIX_GUEST_PRINTS, console.toString(StandardCharsets.US_ASCII), result::toString);
            assertTrue(result.exitedWith(1), result.toString());
            assertEquals(6, doorbell.sent());
            assertEquals(0, machine.gsiRouter().msiRouteCount(), "disabling released every route");
            assertEquals(0, vfio.msixRoutesAdded() - vfio.msixRoutesRemoved());
            assertEquals(List.of(), reports);
        } finally {
            thread.join(5000);
            pair[1].close();
            device.close();
            group.close();
            container.close();
        }
    }
}
