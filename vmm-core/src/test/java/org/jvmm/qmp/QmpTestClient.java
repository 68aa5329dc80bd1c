package org.jvmm.qmp;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A bare socket client for the monitor tests: writes raw bytes, reads whole lines with a time limit. */
public final class QmpTestClient implements AutoCloseable {
    private final SocketChannel ch;
    private final Selector selector;
    private final StringBuilder pending = new StringBuilder();

    public QmpTestClient(SocketAddress address) throws IOException {
        ch = address instanceof UnixDomainSocketAddress ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
        ch.connect(address);
        ch.configureBlocking(false);
        selector = Selector.open();
        ch.register(selector, SelectionKey.OP_READ);
    }

    public void send(String text) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /** The lines that arrive within {@code millis} of the last one, stopping early once {@code atLeast} came. */
    public List<String> lines(int atLeast, long millis) throws IOException {
        List<String> out = new ArrayList<>();
        long deadline = System.currentTimeMillis() + millis;
        ByteBuffer buf = ByteBuffer.allocate(1 << 16);
        while (true) {
            int nl;
            while ((atLeast <= 0 || out.size() < atLeast) && (nl = pending.indexOf("\n")) >= 0) {
                String line = pending.substring(0, nl);
                pending.delete(0, nl + 1);
                out.add(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
            }
            if (out.size() >= atLeast && atLeast > 0) {
                return out;
            }
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return out;
            }
            selector.select(left);
            selector.selectedKeys().clear();
            buf.clear();
            int n = ch.read(buf);
            if (n < 0) {
                return out;
            }
            pending.append(new String(buf.array(), 0, n, StandardCharsets.UTF_8));
        }
    }

    /** Exactly one line (waiting up to 5 s). */
    public String line() throws IOException {
        List<String> l = lines(1, 5000);
        if (l.isEmpty()) {
            throw new IOException("no answer within 5 s");
        }
        return l.get(0);
    }

    /** Sends a command and returns its answer line (events before it are skipped). */
    public String execute(String json) throws IOException {
        send(json);
        while (true) {
            String l = line();
            if (!l.contains("\"event\": ")) {
                return l;
            }
        }
    }

    /** Reads lines until the event {@code name} (waiting up to 10 s); returns that line. */
    public String awaitEvent(String name) throws IOException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            for (String l : lines(1, 1000)) {
                if (l.contains("\"event\": \"" + name + "\"")) {
                    return l;
                }
            }
        }
        throw new IOException("no " + name + " event within 10 s");
    }

    @Override
    public void close() throws IOException {
        selector.close();
        ch.close();
    }
}
