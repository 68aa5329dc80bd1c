package org.jvmm.journal;

import java.nio.file.Path;
import java.util.EnumSet;

/**
 * Run in a JVM of its own by {@link JournalSendsNoAnalytics}: writes and reads a journal. With
 * {@code raw} it opens a Chronicle Queue directly, with the analytics property left as the JVM got
 * it (the control: what the journal's own setting prevents).
 */
public final class ChronicleAnalyticsProbe {
    private ChronicleAnalyticsProbe() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        if (args.length > 1 && args[1].equals("raw")) {
            try (var q = net.openhft.chronicle.queue.ChronicleQueue.singleBuilder(dir).build();
                    var a = q.createAppender()) {
                a.writeText("probe");
            }
        } else {
            try (JournalWriter w = Journal.open(dir, EnumSet.of(JournalCategory.DMA))) {
                Journal.record(JournalCategory.DMA, "map", 0, 0x1000, 0, 0, "");
            } finally {
                Journal.close();
            }
            if (JournalReader.readAll(dir).size() != 1) {
                throw new IllegalStateException("probe: the journal does not hold the one event");
            }
        }
        Thread.sleep(2000); // time for a background analytics send to start, were one enabled
        System.out.println("probe done");
    }
}
