package org.jvmm.hw.spapr;

import static org.jvmm.kvm.spapr.Papr.H_PARAMETER;
import static org.jvmm.kvm.spapr.Papr.H_SUCCESS;

import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.LongAdder;

/**
 * The spapr-vty console (QEMU hw/char/spapr_vty.c): a VIO device at {@link #REG} whose output is
 * H_PUT_TERM_CHAR and input H_GET_TERM_CHAR. A call names the terminal by its unit address;
 * termno 0 stands for the default vty (QEMU keeps that alias for Linux's early debug code, which
 * always passes 0); any other number that is not this vty is H_PARAMETER. H_PUT_TERM_CHAR takes
 * up to 16 bytes packed big-endian in r6 and r7 (len &gt; 16: H_PARAMETER, nothing written);
 * H_GET_TERM_CHAR returns up to 16 queued input bytes the same way, with their count in r4. The machine registers the
 * two handlers in its hypercall table.
 *
 * <p>Threads: hypercalls on the vCPU thread; {@link #input} from any thread (the queue is guarded
 * by this object's monitor).
 */
public final class SpaprVty {
    /**
     * The vty's reg (unit address): QEMU's second VIO address, as with {@code -nodefaults -device
     * spapr-vty} (the spapr-nvram created at machine init takes the first, 0x71000000).
     */
    public static final long REG = 0x7100_0001L;
    private static final int MAX_CHARS = 16;

    private final PrintStream out;
    private final ArrayDeque<Byte> in = new ArrayDeque<>();
    private final LongAdder written = new LongAdder();

    public SpaprVty(PrintStream out) {
        this.out = out;
    }

    /** vty_lookup: this vty for its own reg or the alias 0. */
    private static boolean isThisVty(long termno) {
        return termno == REG || termno == 0;
    }

    /** H_PUT_TERM_CHAR(termno, len, chars 0-7, chars 8-15): the PAPR status. */
    public long hPutTermChar(long[] args, long[] rets) {
        long len = args[1];
        if (!isThisVty(args[0]) || Long.compareUnsigned(len, MAX_CHARS) > 0) {
            return H_PARAMETER;
        }
        byte[] buf = new byte[(int) len];
        for (int i = 0; i < len; i++) {
            long word = i < 8 ? args[2] : args[3];
            buf[i] = (byte) (word >>> (56 - 8 * (i & 7)));
        }
        putChars(buf);
        return H_SUCCESS;
    }

    /** H_GET_TERM_CHAR(termno) -&gt; (count, chars 0-7, chars 8-15) in rets: the PAPR status. */
    public long hGetTermChar(long[] args, long[] rets) {
        if (!isThisVty(args[0])) {
            return H_PARAMETER;
        }
        long[] words = new long[2];
        int n = 0;
        synchronized (this) {
            while (n < MAX_CHARS && !in.isEmpty()) {
                words[n / 8] |= (in.poll() & 0xffL) << (56 - 8 * (n & 7));
                n++;
            }
        }
        rets[0] = n;
        rets[1] = words[0];
        rets[2] = words[1];
        return H_SUCCESS;
    }

    /** vty_putchars: the bytes go to the console as they are. */
    public void putChars(byte[] bytes) {
        out.write(bytes, 0, bytes.length);
        out.flush();
        written.add(bytes.length);
    }

    /** Queues console input for H_GET_TERM_CHAR. */
    public synchronized void input(byte[] bytes) {
        for (byte b : bytes) {
            in.add(b);
        }
    }

    /** Bytes the guest wrote. */
    public long bytesWritten() {
        return written.sum();
    }
}
