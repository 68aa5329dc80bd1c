package org.jvmm.vfiouser;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A listening vfio-user socket that accepts one client after another: the path appears, mode 0600,
 * only once the socket listens ({@link VfioUserSocket#bindAndListen}), so a client that connects as
 * soon as it sees the path is not refused; {@link #close} removes it.
 * An existing path is refused, unless it is a socket nobody listens on any more (a stale socket a
 * killed server left), which is replaced. {@link #close} from another thread wakes a waiting
 * {@link #accept} (shutdown of the listening socket), which then returns null.
 */
public final class VfioUserListener implements AutoCloseable {
    private static final int SUN_PATH_MAX = VfioUserSocket.SUN_PATH_MAX;
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

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
        int s = VfioUserSocket.bindAndListen("socket=" + p, p, bound -> {
            try {
                Files.setPosixFilePermissions(bound, PosixFilePermissions.fromString("rw-------"));
            } catch (IOException e) {
                throw new IOException("socket=" + p + ": cannot make it mode 0600: " + e.getMessage(), e);
            }
        });
        return new VfioUserListener(path, s, maxFds, maxMessageSize);
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
        int c = VfioUserSocket.accept("socket=" + path, fd, () -> closed);
        return c < 0 ? null : new VfioUserSocket(c, maxFds, maxMessageSize);
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
        VfioUserSocket.shutdown(fd);
        VfioUserSocket.closeAll(fd);
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // the directory went away or is read-only now: nothing left to remove
        }
    }
}
