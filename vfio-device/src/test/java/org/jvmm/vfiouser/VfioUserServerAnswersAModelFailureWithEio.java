package org.jvmm.vfiouser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.jvmm.vfiouser.RawVfioUserClient.BAR0;

import java.time.Duration;
import java.util.List;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.host.Errno;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.pci.BarSpec;
import org.jvmm.pci.DmaPort;
import org.jvmm.pci.InterruptSink;
import org.jvmm.pci.PciDeviceModel;
import org.jvmm.pci.PciIdentity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A device model that fails with a runtime exception inside a register access: the server's
 * command thread answers that command EIO and goes on serving the next ones, in order.
 */
@DisplayName("vfio-user server: a model's runtime failure in a command is an EIO reply, and serving goes on")
class VfioUserServerAnswersAModelFailureWithEio {
    private static final long BROKEN = 0x90;

    /** The edu, except that a read of {@link #BROKEN} throws. */
    private static final class Breaking implements PciDeviceModel {
        private final EduDevice edu = new EduDevice();

        @Override
        public PciIdentity identity() {
            return edu.identity();
        }

        @Override
        public List<BarSpec> bars() {
            return edu.bars();
        }

        @Override
        public int interruptPin() {
            return edu.interruptPin();
        }

        @Override
        public int msiVectors() {
            return edu.msiVectors();
        }

        @Override
        public boolean isPcie() {
            return edu.isPcie();
        }

        @Override
        public long barRead(int bar, long offset, int size) {
            if (offset == BROKEN) {
                throw new IllegalStateException("model bug");
            }
            return edu.barRead(bar, offset, size);
        }

        @Override
        public void barWrite(int bar, long offset, int size, long value) {
            edu.barWrite(bar, offset, size, value);
        }

        @Override
        public void reset() {
            edu.reset();
        }

        @Override
        public void connect(DmaPort dma, InterruptSink interrupts) {
            edu.connect(dma, interrupts);
        }
    }

    private ServedHostRig host;
    private RawVfioUserClient client;
    private Thread thread;

    @AfterEach
    void stop() throws Exception {
        client.close();
        thread.join(5000);
        host.close();
    }

    @Test
    void failingReadIsAnsweredEioAndTheNextCommandsAreServed() throws Exception {
        host = new ServedHostRig(new HostMemoryRegistry(), new Breaking());
        VfioUserSocket[] s = VfioUserSocket.pair(8, 1 << 20);
        client = new RawVfioUserClient(s[0]);
        thread = Thread.ofPlatform().name("vfio-user-server").start(new VfioUserServer(host.device, s[1], 8, 4096));
        client.negotiate(4096);
        int broken = client.send(VfioUserCommand.REGION_READ, RawVfioUserClient.access(BROKEN, BAR0, 8));
        int next = client.send(VfioUserCommand.REGION_READ, RawVfioUserClient.access(EduDevice.REG_ID, BAR0, 4));
        // a command thread stopped by the exception would answer nothing: fail, do not hang
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            RawVfioUserClient.assertErrno(Errno.EIO.number(), client.expectReply(broken, VfioUserCommand.REGION_READ));
            client.ok(client.expectReply(next, VfioUserCommand.REGION_READ));
            assertEquals(0x010000edL, client.read(BAR0, EduDevice.REG_ID, 4));
        });
    }
}
