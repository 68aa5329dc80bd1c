package org.jvmm.journal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

/** Reads a journal written by {@link JournalWriter}, from the start, and can wait for more (follow). */
public final class JournalReader implements AutoCloseable {
    static {
        System.setProperty("chronicle.analytics.disable", "true");
    }

    private final ChronicleQueue queue;
    private final ExcerptTailer tailer;
    private long next;

    /**
     * @throws IllegalArgumentException naming the directory when it holds no journal
     */
    public JournalReader(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("journal " + dir + ": no such directory");
        }
        try (var files = Files.list(dir)) {
            if (files.noneMatch(p -> p.getFileName().toString().endsWith(".cq4"))) {
                throw new IllegalArgumentException("journal " + dir + ": no journal there (no .cq4 file)");
            }
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("journal " + dir + ": cannot be read (" + e.getMessage() + ")");
        }
        queue = ChronicleQueue.singleBuilder(dir).readOnly(true).build();
        tailer = queue.createTailer();
    }

    /** The next event, or null when none is there yet. */
    public JournalEvent next() {
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) {
                return null;
            }
            Bytes<?> b = dc.wire().bytes();
            JournalCategory c = JournalCategory.values()[b.readByte()];
            String kind = b.readUtf8();
            long a = b.readLong();
            long bb = b.readLong();
            long cc = b.readLong();
            long d = b.readLong();
            String text = b.readUtf8();
            long nanos = b.readLong();
            return new JournalEvent(next++, nanos, c, kind, a, bb, cc, d, text);
        }
    }

    /** Every event there now. */
    public List<JournalEvent> readAll() {
        List<JournalEvent> out = new ArrayList<>();
        for (JournalEvent e = next(); e != null; e = next()) {
            out.add(e);
        }
        return out;
    }

    /** Reads the whole journal in {@code dir}. */
    public static List<JournalEvent> readAll(Path dir) {
        try (JournalReader r = new JournalReader(dir)) {
            return r.readAll();
        }
    }

    @Override
    public void close() {
        tailer.close();
        queue.close();
    }
}
