package org.jvmm.vfiouser;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One end of a vfio-user connection: an AF_UNIX stream socket whose messages carry file
 * descriptors as SCM_RIGHTS ancillary data of the same sendmsg as the header, several per message
 * (java.nio's Unix-domain channels cannot pass descriptors, so sendmsg/recvmsg are called through
 * the Foreign Function &amp; Memory API; the struct offsets are those of LP64 Linux, x86-64 and
 * ppc64le).
 *
 * <p>{@link #send} writes a whole message, the descriptors with its first byte; {@link #receive}
 * frames one message by its header and returns its bytes and descriptors. A peer that closes the
 * socket makes {@link #receive} throw {@link PeerGoneException}; a message whose size is above the
 * receiver's limit is read and dropped (the stream stays framed) and returned with
 * {@link Message#oversize()} set, for the receiver to answer as the specification says.
 */
public final class VfioUserSocket implements AutoCloseable {
    private static final int AF_UNIX = 1;
    private static final int SOCK_STREAM = 1;
    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;
    private static final int MSG_CTRUNC = 0x8;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;
    private static final int EINTR = 4;
    private static final int EPIPE = 32;
    private static final int ECONNRESET = 104;

    /** struct msghdr (LP64): name, namelen, iov, iovlen, control, controllen, flags. */
    private static final long MSG_IOV = 16;
    private static final long MSG_IOVLEN = 24;
    private static final long MSG_CONTROL = 32;
    private static final long MSG_CONTROLLEN = 40;
    private static final long MSG_FLAGS = 48;
    private static final long MSGHDR_SIZE = 56;
    /** struct cmsghdr (LP64): len (size_t), level, type, then the data. */
    private static final long CMSG_HDR = 16;

    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SOCKETPAIR;
    private static final MethodHandle SENDMSG;
    private static final MethodHandle RECVMSG;
    private static final MethodHandle CLOSE;
    private static final MethodHandle SHUTDOWN;
    private static final MethodHandle SOCKET;
    private static final MethodHandle BIND;
    private static final MethodHandle LISTEN;
    private static final MethodHandle ACCEPT;
    private static final MethodHandle CONNECT;
    /** struct sockaddr_un: sun_family (u16), sun_path[108]. */
    private static final int SOCKADDR_UN_SIZE = 110;
    static final int SUN_PATH_MAX = 107;

    static {
        Linker linker = Linker.nativeLinker();
        SymbolLookup libc = linker.defaultLookup();
        Linker.Option errno = Linker.Option.captureCallState("errno");
        SOCKETPAIR = linker.downcallHandle(libc.find("socketpair").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), errno);
        SENDMSG = linker.downcallHandle(libc.find("sendmsg").orElseThrow(),
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), errno);
        RECVMSG = linker.downcallHandle(libc.find("recvmsg").orElseThrow(),
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), errno);
        CLOSE = linker.downcallHandle(libc.find("close").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        SOCKET = linker.downcallHandle(libc.find("socket").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), errno);
        BIND = linker.downcallHandle(libc.find("bind").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), errno);
        LISTEN = linker.downcallHandle(libc.find("listen").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), errno);
        ACCEPT = linker.downcallHandle(libc.find("accept4").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT), errno);
        CONNECT = linker.downcallHandle(libc.find("connect").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), errno);
        SHUTDOWN = linker.downcallHandle(libc.find("shutdown").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }

    /** The peer closed its end (or reset it) mid-run. */
    public static final class PeerGoneException extends IOException {
        public PeerGoneException(String detail) {
            super(detail);
        }
    }

    /**
     * A received message.
     *
     * @param header its header
     * @param payload the bytes after the header (empty when oversize)
     * @param fds the descriptors that came with it, owned by the receiver
     * @param fdsTruncated more descriptors were sent than the receiver accepts (the extra ones are closed)
     * @param oversize the size was above the receiver's limit; the payload was discarded
     */
    public record Message(VfioUserHeader header, byte[] payload, int[] fds, boolean fdsTruncated, boolean oversize) {
        public ByteBuffer payloadBuffer() {
            return ByteBuffer.wrap(payload);
        }
    }

    private final int fd;
    private final int maxFds;
    private volatile long maxMessageSize;
    private volatile boolean closed;

    /**
     * @param fd a connected AF_UNIX stream socket, owned from now on
     * @param maxFds the most descriptors one received message may carry
     * @param maxMessageSize the largest message (header included, unsigned) this end accepts
     */
    public VfioUserSocket(int fd, int maxFds, long maxMessageSize) {
        this.fd = fd;
        this.maxFds = maxFds;
        this.maxMessageSize = maxMessageSize;
    }

    /** A connected pair, for in-process client and server. */
    public static VfioUserSocket[] pair(int maxFds, long maxMessageSize) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sv = a.allocate(JAVA_INT, 2);
            MemorySegment cap = a.allocate(CAPTURE);
            int r = (int) SOCKETPAIR.invokeExact(cap, AF_UNIX, SOCK_STREAM | 0x80000 /* SOCK_CLOEXEC */, 0, sv);
            if (r < 0) {
                throw new IOException("socketpair(AF_UNIX) failed: errno " + (int) ERRNO.get(cap, 0L));
            }
            return new VfioUserSocket[] {
                new VfioUserSocket(sv.getAtIndex(JAVA_INT, 0), maxFds, maxMessageSize),
                new VfioUserSocket(sv.getAtIndex(JAVA_INT, 1), maxFds, maxMessageSize)};
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static MemorySegment sockaddr(Arena a, String op, String path) throws IOException {
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        if (p.length == 0 || p.length > SUN_PATH_MAX) {
            throw new IOException(op + ": socket path must be 1 to " + SUN_PATH_MAX + " bytes: " + path);
        }
        MemorySegment sa = a.allocate(SOCKADDR_UN_SIZE, 2);
        sa.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
        MemorySegment.copy(p, 0, sa, JAVA_BYTE_LAYOUT, 2, p.length);
        return sa;
    }

    /** A new AF_UNIX stream socket (close-on-exec); IOException "WHAT: socket failed: errno N". */
    private static int unixSocket(MemorySegment cap, String what) throws Throwable {
        int s = (int) SOCKET.invokeExact(cap, AF_UNIX, SOCK_STREAM | 0x80000, 0);
        if (s < 0) {
            throw new IOException(what + ": socket failed: errno " + (int) ERRNO.get(cap, 0L));
        }
        return s;
    }

    /** What to do between bind and listen to the socket file bound (e.g. set its mode); may throw. */
    interface AfterBind {
        void run(Path bound) throws IOException;
    }

    /**
     * socket, bind, {@code afterBind}, listen, and only then the socket file at {@code path} (which
     * must not exist): the listening descriptor. The socket is bound under a temporary name beside
     * {@code path} and linked to {@code path} once it listens, so that a client that connects as
     * soon as the path exists is never refused (a path that appeared at bind, before listen, could
     * be; errno 111). Where the temporary name would not fit sun_path, the socket is bound at
     * {@code path} itself. On failure the descriptor is closed, no file is left behind, and an
     * IOException says {@code what} failed, with the errno.
     *
     * @param what the start of the error message, e.g. {@code socket=PATH}
     */
    static int bindAndListen(String what, String path, AfterBind afterBind) throws IOException {
        Path target = Path.of(path);
        Path bound = target.resolveSibling(".vfu-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16));
        if (bound.toString().getBytes(StandardCharsets.UTF_8).length > SUN_PATH_MAX) {
            bound = target;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(CAPTURE);
            MemorySegment sa = sockaddr(a, what, bound.toString());
            int s = unixSocket(cap, what);
            if ((int) BIND.invokeExact(cap, s, sa, SOCKADDR_UN_SIZE) < 0) {
                int e = (int) ERRNO.get(cap, 0L);
                closeAll(s);
                throw new IOException(what + ": bind failed: errno " + e);
            }
            try {
                afterBind.run(bound);
                if ((int) LISTEN.invokeExact(cap, s, 1) < 0) {
                    throw new IOException(what + ": listen failed: errno " + (int) ERRNO.get(cap, 0L));
                }
                if (!bound.equals(target)) {
                    try {
                        Files.createLink(target, bound); // link(2): never replaces a file
                    } catch (FileAlreadyExistsException e) {
                        throw new IOException(what + ": the path was created by someone else meanwhile", e);
                    } catch (IOException e) {
                        throw new IOException(what + ": cannot link the listening socket to the path: " + e.getMessage(), e);
                    }
                    Files.delete(bound);
                }
            } catch (IOException e) {
                closeAll(s);
                Files.deleteIfExists(bound);
                throw e;
            }
            return s;
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * accept4 on a listening descriptor, retried on EINTR unless {@code stop} says the listener
     * was closed: the connection's descriptor, or -1 once stopped.
     */
    static int accept(String what, int listening, java.util.function.BooleanSupplier stop) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(CAPTURE);
            while (true) {
                int c = (int) ACCEPT.invokeExact(cap, listening, MemorySegment.NULL, MemorySegment.NULL, 0x80000);
                if (c >= 0) {
                    return c;
                }
                int e = (int) ERRNO.get(cap, 0L);
                if (stop.getAsBoolean()) {
                    return -1;
                }
                if (e != EINTR) {
                    throw new IOException(what + ": accept failed: errno " + e);
                }
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Binds {@code path} (which must not exist), listens, waits for one client and returns the
     * connection; the listening socket is closed after the accept (one client per server, as a
     * vfio-user device has one VMM).
     */
    public static VfioUserSocket listenAndAccept(String path, int maxFds, long maxMessageSize) throws IOException {
        String what = "vfio-user listen " + path;
        int s = bindAndListen(what, path, bound -> { });
        try {
            return new VfioUserSocket(accept(what, s, () -> false), maxFds, maxMessageSize);
        } finally {
            closeAll(s);
        }
    }

    /** Connects to a server listening on {@code path}. */
    public static VfioUserSocket connect(String path, int maxFds, long maxMessageSize) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(CAPTURE);
            MemorySegment sa = sockaddr(a, "vfio-user connect", path);
            int s = unixSocket(cap, "vfio-user connect " + path);
            if ((int) CONNECT.invokeExact(cap, s, sa, SOCKADDR_UN_SIZE) < 0) {
                int e = (int) ERRNO.get(cap, 0L);
                closeAll(s);
                throw new IOException("vfio-user connect " + path + ": connect failed: errno " + e);
            }
            return new VfioUserSocket(s, maxFds, maxMessageSize);
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public int fd() {
        return fd;
    }

    /** Sets the size limit after VERSION negotiation. */
    public void maxMessageSize(long size) {
        this.maxMessageSize = size;
    }

    public long maxMessageSize() {
        return maxMessageSize;
    }

    /** Sends header and payload as one message, {@code fds} with its first byte (SCM_RIGHTS). */
    public void send(VfioUserHeader header, byte[] payload, int... fds) throws IOException {
        int len = VfioUserHeader.SIZE + payload.length;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment data = a.allocate(len);
            MemorySegment.copy(header.toBytes(), 0, data, JAVA_BYTE_LAYOUT, 0, VfioUserHeader.SIZE);
            MemorySegment.copy(payload, 0, data, JAVA_BYTE_LAYOUT, VfioUserHeader.SIZE, payload.length);
            MemorySegment iov = a.allocate(16, 8);
            MemorySegment msg = a.allocate(MSGHDR_SIZE, 8);
            MemorySegment cap = a.allocate(CAPTURE);
            long sent = 0;
            boolean first = true;
            while (sent < len) {
                msg.fill((byte) 0);
                iov.set(ADDRESS, 0, data.asSlice(sent));
                iov.set(JAVA_LONG, 8, len - sent);
                msg.set(ADDRESS, MSG_IOV, iov);
                msg.set(JAVA_LONG, MSG_IOVLEN, 1);
                if (first && fds.length > 0) {
                    long space = CMSG_HDR + align8(4L * fds.length);
                    MemorySegment control = a.allocate(space, 8);
                    control.set(JAVA_LONG, 0, CMSG_HDR + 4L * fds.length);
                    control.set(JAVA_INT, 8, SOL_SOCKET);
                    control.set(JAVA_INT, 12, SCM_RIGHTS);
                    for (int i = 0; i < fds.length; i++) {
                        control.set(JAVA_INT, CMSG_HDR + 4L * i, fds[i]);
                    }
                    msg.set(ADDRESS, MSG_CONTROL, control);
                    msg.set(JAVA_LONG, MSG_CONTROLLEN, space);
                }
                long n = (long) SENDMSG.invokeExact(cap, fd, msg, MSG_NOSIGNAL);
                if (n < 0) {
                    int e = (int) ERRNO.get(cap, 0L);
                    if (e == EINTR) {
                        continue;
                    }
                    if (e == EPIPE || e == ECONNRESET) {
                        throw new PeerGoneException("vfio-user peer closed the socket (sendmsg errno " + e + ")");
                    }
                    throw new IOException("vfio-user sendmsg failed: errno " + e);
                }
                first = false;
                sent += n;
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static final java.lang.foreign.ValueLayout.OfByte JAVA_BYTE_LAYOUT = java.lang.foreign.ValueLayout.JAVA_BYTE;

    private static long align8(long n) {
        return (n + 7) & ~7L;
    }

    /** Receives one whole message. */
    public Message receive() throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment hdr = a.allocate(VfioUserHeader.SIZE);
            MemorySegment iov = a.allocate(16, 8);
            MemorySegment msg = a.allocate(MSGHDR_SIZE, 8);
            long space = CMSG_HDR + align8(4L * Math.max(1, maxFds));
            MemorySegment control = a.allocate(space, 8);
            MemorySegment cap = a.allocate(CAPTURE);
            int[] fds = new int[0];
            boolean truncated = false;
            long got = 0;
            while (got < VfioUserHeader.SIZE) {
                msg.fill((byte) 0);
                control.fill((byte) 0);
                iov.set(ADDRESS, 0, hdr.asSlice(got));
                iov.set(JAVA_LONG, 8, VfioUserHeader.SIZE - got);
                msg.set(ADDRESS, MSG_IOV, iov);
                msg.set(JAVA_LONG, MSG_IOVLEN, 1);
                msg.set(ADDRESS, MSG_CONTROL, control);
                msg.set(JAVA_LONG, MSG_CONTROLLEN, space);
                long n = (long) RECVMSG.invokeExact(cap, fd, msg, MSG_CMSG_CLOEXEC);
                if (n < 0) {
                    int e = (int) ERRNO.get(cap, 0L);
                    if (e == EINTR) {
                        continue;
                    }
                    if (e == ECONNRESET) {
                        throw new PeerGoneException("vfio-user peer reset the socket");
                    }
                    throw new IOException("vfio-user recvmsg failed: errno " + e);
                }
                if (n == 0) {
                    closeAll(fds);
                    throw new PeerGoneException(got == 0 ? "vfio-user peer closed the socket"
                            : "vfio-user peer closed the socket inside a message header");
                }
                truncated |= (msg.get(JAVA_INT, MSG_FLAGS) & MSG_CTRUNC) != 0;
                long controlLen = msg.get(JAVA_LONG, MSG_CONTROLLEN);
                if (controlLen >= CMSG_HDR && control.get(JAVA_INT, 8) == SOL_SOCKET
                        && control.get(JAVA_INT, 12) == SCM_RIGHTS) {
                    int count = (int) ((control.get(JAVA_LONG, 0) - CMSG_HDR) / 4);
                    int[] more = new int[fds.length + count];
                    System.arraycopy(fds, 0, more, 0, fds.length);
                    for (int i = 0; i < count; i++) {
                        more[fds.length + i] = control.get(JAVA_INT, CMSG_HDR + 4L * i);
                    }
                    fds = more;
                }
                got += n;
            }
            if (fds.length > maxFds) {
                // the control buffer is 8-byte aligned, so it can hold one descriptor more than the limit
                closeAll(java.util.Arrays.copyOfRange(fds, maxFds, fds.length));
                fds = java.util.Arrays.copyOf(fds, maxFds);
                truncated = true;
            }
            byte[] hb = hdr.toArray(JAVA_BYTE_LAYOUT);
            VfioUserHeader header = VfioUserHeader.decode(ByteBuffer.wrap(hb));
            if (header == null) {
                closeAll(fds);
                throw new IOException("vfio-user message size below the 16-byte header: "
                        + Integer.toUnsignedString(ByteBuffer.wrap(hb).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(4)));
            }
            long payloadSize = Integer.toUnsignedLong(header.size()) - VfioUserHeader.SIZE;
            boolean oversize = Long.compareUnsigned(Integer.toUnsignedLong(header.size()), maxMessageSize) > 0;
            byte[] payload = oversize ? new byte[0] : new byte[(int) payloadSize];
            readFully(a, cap, payload, payloadSize, oversize);
            return new Message(header, payload, fds, truncated, oversize);
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private void readFully(Arena a, MemorySegment cap, byte[] into, long size, boolean discard) throws Throwable {
        int chunk = (int) Math.min(size, 1 << 16);
        MemorySegment buf = a.allocate(Math.max(chunk, 1));
        MemorySegment iov = a.allocate(16, 8);
        MemorySegment msg = a.allocate(MSGHDR_SIZE, 8);
        long got = 0;
        while (got < size) {
            long want = Math.min(size - got, buf.byteSize());
            msg.fill((byte) 0);
            iov.set(ADDRESS, 0, buf);
            iov.set(JAVA_LONG, 8, want);
            msg.set(ADDRESS, MSG_IOV, iov);
            msg.set(JAVA_LONG, MSG_IOVLEN, 1);
            long n = (long) RECVMSG.invokeExact(cap, fd, msg, MSG_CMSG_CLOEXEC);
            if (n < 0) {
                int e = (int) ERRNO.get(cap, 0L);
                if (e == EINTR) {
                    continue;
                }
                throw new PeerGoneException("vfio-user peer failed inside a message: errno " + e);
            }
            if (n == 0) {
                throw new PeerGoneException("vfio-user peer closed the socket inside a message");
            }
            if (!discard) {
                MemorySegment.copy(buf, JAVA_BYTE_LAYOUT, 0, into, (int) got, (int) n);
            }
            got += n;
        }
    }

    /** Closes descriptors received and not kept. */
    public static void closeAll(int... fds) {
        for (int f : fds) {
            try {
                int r = (int) CLOSE.invokeExact(f);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
    }

    /**
     * shutdown(SHUT_RDWR): both directions end now; a thread blocked in {@link #receive} on either
     * end sees the peer gone. The descriptor stays open until {@link #close}.
     */
    public void shutdown() {
        shutdown(fd);
    }

    /** shutdown(fd, SHUT_RDWR), e.g. to wake a thread blocked in accept on a listening socket. */
    static void shutdown(int fd) {
        try {
            int r = (int) SHUTDOWN.invokeExact(fd, 2);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            closeAll(fd);
        }
    }
}
