package org.jvmm.vfiouser;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.jvmm.host.sys.Syscalls;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("vfio-user transport: one sendmsg per message with SCM_RIGHTS descriptors, framing by the header's size")
class VfioUserSocketPassesMessagesAndDescriptors {
    private static final Syscalls SYS = Syscalls.linux();

    private static long eventfdRoundTrip(int writeFd, int readFd, long value) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_LONG);
            v.set(JAVA_LONG, 0, value);
            assertEquals(8, SYS.write(writeFd, v));
            v.set(JAVA_LONG, 0, 0);
            assertEquals(8, SYS.read(readFd, v));
            return v.get(JAVA_LONG, 0);
        }
    }

    @Test
    void messageWithThreeEventfdsArrivesWholeWithThreeWorkingDescriptors() throws Exception {
        VfioUserSocket[] p = VfioUserSocket.pair(8, 1 << 20);
        int[] sent = {SYS.eventfd(0, 0), SYS.eventfd(0, 0), SYS.eventfd(0, 0)};
        try {
            byte[] payload = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20};
            VfioUserHeader h = VfioUserHeader.command(7, VfioUserCommand.DEVICE_SET_IRQS, payload.length);
            p[0].send(h, payload, sent);
            VfioUserSocket.Message m = p[1].receive();
            assertEquals(h, m.header());
            assertArrayEquals(payload, m.payload());
            assertEquals(3, m.fds().length);
            assertFalse(m.fdsTruncated());
            for (int i = 0; i < 3; i++) {
                assertNotEquals(sent[i], m.fds()[i], "the receiver gets its own descriptor numbers");
                assertEquals(40 + i, eventfdRoundTrip(m.fds()[i], sent[i], 40 + i),
                        "descriptor " + i + " is the same eventfd");
            }
            VfioUserSocket.closeAll(m.fds());
        } finally {
            VfioUserSocket.closeAll(sent);
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void moreDescriptorsThanTheReceiverAcceptsAreReportedTruncated() throws Exception {
        VfioUserSocket[] p = VfioUserSocket.pair(1, 1 << 20);
        int[] sent = {SYS.eventfd(0, 0), SYS.eventfd(0, 0)};
        try {
            p[0].send(VfioUserHeader.command(1, VfioUserCommand.DMA_MAP, 0), new byte[0], sent);
            VfioUserSocket.Message m = p[1].receive();
            assertTrue(m.fdsTruncated());
            assertEquals(1, m.fds().length);
            VfioUserSocket.closeAll(m.fds());
        } finally {
            VfioUserSocket.closeAll(sent);
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void oversizeMessageIsDiscardedAndTheNextOneStillFramed() throws Exception {
        VfioUserSocket[] p = VfioUserSocket.pair(1, 64);
        try {
            p[0].send(VfioUserHeader.command(1, VfioUserCommand.REGION_WRITE, 100), new byte[100]);
            p[0].send(VfioUserHeader.command(2, VfioUserCommand.DEVICE_RESET, 0), new byte[0]);
            VfioUserSocket.Message big = p[1].receive();
            assertTrue(big.oversize());
            assertEquals(116, big.header().size());
            assertEquals(0, big.payload().length);
            VfioUserSocket.Message next = p[1].receive();
            assertFalse(next.oversize());
            assertEquals(2, next.header().messageId());
            assertEquals(VfioUserCommand.DEVICE_RESET.number(), next.header().command());
        } finally {
            p[0].close();
            p[1].close();
        }
    }

    @Test
    void peerClosingIsReportedAsPeerGone() throws Exception {
        VfioUserSocket[] p = VfioUserSocket.pair(1, 1 << 20);
        p[0].close();
        try {
            VfioUserSocket.PeerGoneException e = assertThrows(VfioUserSocket.PeerGoneException.class, p[1]::receive);
            assertEquals("vfio-user peer closed the socket", e.getMessage());
            assertThrows(VfioUserSocket.PeerGoneException.class,
                    () -> p[1].send(VfioUserHeader.command(1, VfioUserCommand.DEVICE_RESET, 0), new byte[0]));
        } finally {
            p[1].close();
        }
    }
}
