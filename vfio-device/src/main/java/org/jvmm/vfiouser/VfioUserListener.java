package org.jvmm.vfiouser;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.net.ConnectException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A listening vfio-user socket that accepts one client after another: the path is created with
 * mode 0600 (set before listen, so no client can connect before), and removed by {@link #close}.
 * An existing path is refused, unless it is a socket nobody listens on any more (a stale socket a
 * killed server left), which is replaced. {@link #close} from another thread wakes a waiting
 * {@link #accept} (shutdown of the listening socket), which then returns null.
 */
public final class VfioUserListener implements AutoCloseable {
    private static final int AF_UNIX = 1;
    private static final int SOCK_STREAM_CLOEXEC = 1 | 0x80000;
    private static final int EINTR = 4;
    private static final int SHUT_RDWR = 2;
    private static final int SOCKADDR_UN_SIZE = 110;
    private static final int SUN_PATH_MAX = 107;
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SOCKET;
    private static final MethodHandle BIND;
    private static final MethodHandle LISTEN;
    private static final MethodHandle ACCEPT;
    private static final MethodHandle SHUTDOWN;
    private static final MethodHandle CLOSE;

    static {
        Linker linker = Linker.nativeLinker();
        var libc = linker.defaultLookup();
        Linker.Option errno = Linker.Option.captureCallState("errno");
        SOCKET = linker.downcallHandle(libc.find("socket").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), errno);
        BIND = linker.downcallHandle(libc.find("bind").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), errno);
        LISTEN = linker.downcallHandle(libc.find("listen").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), errno);
        ACCEPT = linker.downcallHandle(libc.find("accept4").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT), errno);
        SHUTDOWN = linker.downcallHandle(libc.find("shutdown").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
        CLOSE = linker.downcallHandle(libc.find("close").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }

    private final Path path;
    private final int fd;
    private final int maxFds;
    private final long maxMessageSize;
    private volatile boolean closed;

    private VfioUserListener(Path path, int fd, int maxFds, long maxMessageSize) {
        this.path = path;
        this.fd = fd;
        this.maxFds = maxFds;
        this.maxMessageSize = maxMessageSize;
    }

    /**
     * Creates the socket at {@code path} (mode 0600) and listens.
     *
     * @throws IOException naming the path: it exists and is not a socket, a server listens on
     *     it, it is too long, or socket/bind/listen failed (with the errno)
     */
    public static VfioUserListener listen(Path path, int maxFds, long maxMessageSize) throws IOException {
        String p = path.toString();
        byte[] bytes = p.getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0 || bytes.length > SUN_PATH_MAX) {
            throw new IOException("socket=" + p + ": a socket path is 1 to " + SUN_PATH_MAX + " bytes, this one is " + bytes.length);
        }
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            removeIfStale(path);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(CAPTURE);
            int s = (int) SOCKET.invokeExact(cap, AF_UNIX, SOCK_STREAM_CLOEXEC, 0);
            if (s < 0) {
                throw new IOException("socket=" + p + ": socket failed: errno " + (int) ERRNO.get(cap, 0L));
            }
            MemorySegment sa = a.allocate(SOCKADDR_UN_SIZE, 2);
            sa.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
            MemorySegment.copy(bytes, 0, sa, ValueLayout.JAVA_BYTE, 2, bytes.length);
            if ((int) BIND.invokeExact(cap, s, sa, SOCKADDR_UN_SIZE) < 0) {
                int e = (int) ERRNO.get(cap, 0L);
                int ignored = (int) CLOSE.invokeExact(s);
                throw new IOException("socket=" + p + ": bind failed: errno " + e);
            }
            try {
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            } catch (IOException e) {
                int ignored = (int) CLOSE.invokeExact(s);
                Files.deleteIfExists(path);
                throw new IOException("socket=" + p + ": cannot make it mode 0600: " + e.getMessage(), e);
            }
            if ((int) LISTEN.invokeExact(cap, s, 1) < 0) {
                int e = (int) ERRNO.get(cap, 0L);
                int ignored = (int) CLOSE.invokeExact(s);
                Files.deleteIfExists(path);
                throw new IOException("socket=" + p + ": listen failed: errno " + e);
            }
            return new VfioUserListener(path, s, maxFds, maxMessageSize);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** An existing path: removed when a socket nobody listens on; otherwise refused. */
    private static void removeIfStale(Path path) throws IOException {
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if ((mode & S_IFMT) != S_IFSOCK) {
            throw new IOException("socket=" + path + ": the path exists and is not a socket; remove it or choose another path");
        }
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            throw new IOException("socket=" + path + ": a server is listening on it already");
        } catch (ConnectException stale) {
            Files.deleteIfExists(path); // connection refused: left by a server that is gone
        }
    }

    public Path path() {
        return path;
    }

    /** Waits for the next client: its connection, or null once the listener is closed. */
    public VfioUserSocket accept() throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = a.allocate(CAPTURE);
            while (true) {
                int c = (int) ACCEPT.invokeExact(cap, fd, MemorySegment.NULL, MemorySegment.NULL, 0x80000);
                if (c >= 0) {
                    return new VfioUserSocket(c, maxFds, maxMessageSize);
                }
                int e = (int) ERRNO.get(cap, 0L);
                if (closed) {
                    return null;
                }
                if (e != EINTR) {
                    throw new IOException("socket=" + path + ": accept failed: errno " + e);
                }
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Stops listening (waking a waiting accept), closes the socket and removes the path. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            int ignored = (int) SHUTDOWN.invokeExact(fd, SHUT_RDWR);
            ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // the directory went away or is read-only now: nothing left to remove
        }
    }
}
