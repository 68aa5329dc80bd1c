package org.jvmm.vfiouser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.vfiouser.RawVfioUserClient.BAR0;

import org.jvmm.testing.DeviceRig;
import org.jvmm.testing.Hosts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A command with the no-reply flag (bit 4) gets no reply, whether it succeeds or fails: as
 * libvfio-user's lib/libvfio-user.c, which returns before replying when the flag is set (QEMU's
 * client posts register writes this way).
 */
@DisplayName("vfio-user server: a no-reply command gets no reply, not even an error")
class VfioUserServerSendsNothingForNoReplyCommands {
    private DeviceRig rig;
    private RawVfioUserClient client;
    private Thread thread;

    @BeforeEach
    void start() throws Exception {
        rig = new DeviceRig(Hosts.EDU);
        VfioUserSocket[] p = VfioUserSocket.pair(8, 1 << 20);
        client = new RawVfioUserClient(p[0]);
        thread = Thread.ofPlatform().start(new VfioUserServer(rig.device, rig.container, p[1], 8, 4096));
        client.negotiate(1 << 20);
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        thread.join(5000);
        rig.close();
    }

    private void postWrite(long offset, int size, long value) throws Exception {
        byte[] payload = RawVfioUserClient.access(offset, BAR0, size, RawVfioUserClient.le(size, value));
        VfioUserHeader h = VfioUserHeader.command(0x77, VfioUserCommand.REGION_WRITE, payload.length);
        client.socket.send(new VfioUserHeader(h.messageId(), h.command(), h.size(), h.flags() | VfioUserHeader.FLAG_NO_REPLY, 0),
                payload);
    }

    @Test
    void postedWriteTakesEffectWithoutAReply() throws Exception {
        postWrite(0x04, 4, 0x0f0f0f0f); // liveness
        assertEquals(0xf0f0f0f0L, client.read(BAR0, 0x04, 4), "the next message the client receives is this read's reply");
    }

    @Test
    void failingPostedWriteGetsNoErrorReplyEither() throws Exception {
        postWrite(0x10_0000, 4, 1); // past the end of BAR0: EINVAL, unsent
        assertEquals(0x010000ed, client.read(BAR0, 0, 4), "the next message the client receives is this read's reply");
    }
}
