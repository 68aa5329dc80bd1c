package org.jvmm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.vfiouser.VfioUserClient;
import org.jvmm.vfiouser.VfioUserCommand;
import org.jvmm.vfiouser.VfioUserHeader;
import org.jvmm.vfiouser.VfioUserPayloads.DmaMap;
import org.jvmm.vfiouser.VfioUserSocket;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The host device serve-device builds, for each model: served over a socketpair, it answers with
 * its own vendor and device ID in config space; when the client goes, the client's DMA mappings
 * are gone and serve returns why.
 */
@DisplayName("serve-device's host device: each model is served, and a gone client leaves nothing mapped")
class VfioUserHostDeviceServesEachModel {

    private static int configId(VfioUserClient c) {
        return (int) c.regionRead(7, 0, 4);
    }

    @ParameterizedTest
    @EnumSource(VfioUserHostDevice.Model.class)
    void eachModelAnswersItsIdsAndReleasesTheClientsMappings(VfioUserHostDevice.Model model) throws Exception {
        int expected = switch (model) {
            case EDU, EDU_PASID -> 0x11e81234;
            case IVSHMEM -> 0x11101af4;
            case MSIX_DOORBELL -> 0x11e91234;
        };
        try (VfioUserHostDevice host = new VfioUserHostDevice(model, 1L << 16);
                HostMapping ram = new HostMemoryRegistry().allocate("client ram", 0x2000)) {
            VfioUserSocket[] p = VfioUserSocket.pair(8, 1 << 20);
            AtomicReference<IOException> why = new AtomicReference<>();
            Thread t = Thread.ofPlatform().start(() -> why.set(host.serve(p[1])));
            try (VfioUserClient client = new VfioUserClient(p[0], msg -> { })) {
                client.negotiate(8, 1 << 20);
                assertEquals(expected, configId(client));
                byte[] map = new DmaMap(DmaMap.SIZE, 3, 0, 0x10_0000, 0x2000).toBytes();
                p[0].send(VfioUserHeader.command(99, VfioUserCommand.DMA_MAP, map.length), map, ram.memfd());
                VfioUserSocket.Message m = p[0].receive();
                assertEquals(0, m.header().error());
                assertEquals(0x2000, host.mappedClientBytes());
            }
            t.join(5000);
            p[1].close();
            assertInstanceOf(VfioUserSocket.PeerGoneException.class, why.get());
            assertEquals(0, host.mappedClientBytes(), "the client's memory is unmapped when it goes");
        }
    }
}
