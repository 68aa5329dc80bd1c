package org.jvmm.bench.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** The QMP benchmarks' reader: one answer line from a monitor socket into a reused buffer. */
public final class QmpLines {
    private QmpLines() {
    }

    /** Reads until the buffer ends with a newline; returns the bytes read. */
    public static int readLine(SocketChannel c, ByteBuffer in) throws IOException {
        in.clear();
        int n = 0;
        while (n == 0 || in.get(n - 1) != '\n') {
            int r = c.read(in);
            if (r < 0) {
                throw new IOException("the monitor closed its socket");
            }
            n += r;
        }
        return n;
    }
}
