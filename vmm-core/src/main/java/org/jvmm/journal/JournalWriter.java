package org.jvmm.journal;

import java.nio.file.Path;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Appends {@link JournalEvent}s to a Chronicle Queue. Appends from several threads (the vCPU, the
 * monitor) are serialized here, on one appender; the queue is readable live from another process.
 * Record layout: category ordinal (byte), kind (UTF-8), a, b, c, d (longs), text (UTF-8), nanos (long).
 */
public final class JournalWriter implements AutoCloseable {
    private final Path dir;
    private final ChronicleQueue queue;
    private final ExcerptAppender appender;
    private final long start = System.nanoTime();

    JournalWriter(Path dir) {
        this.dir = dir;
        queue = ChronicleQueue.singleBuilder(dir).build();
        appender = queue.createAppender();
        // one appender for every thread that records (vCPU, monitor): append serializes them
        appender.singleThreadedCheckDisabled(true);
    }

    public Path dir() {
        return dir;
    }

    synchronized void append(JournalCategory c, String kind, long a, long b, long cc, long d, String text) {
        try (DocumentContext dc = appender.writingDocument()) {
            dc.wire().bytes().writeByte((byte) c.ordinal()).writeUtf8(kind).writeLong(a).writeLong(b).writeLong(cc).writeLong(d)
                    .writeUtf8(text).writeLong(System.nanoTime() - start);
        }
    }

    @Override
    public synchronized void close() {
        appender.close();
        queue.close();
    }
}
