package org.jvmm.hw.serial;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import org.jvmm.memory.AccessRules;
import org.jvmm.memory.Endianness;
import org.jvmm.memory.MmioOps;

/**
 * A 16550-style UART as toy guests use it for output: bytes written to the transmit register go
 * to the console at once, the line status always says the transmitter is empty, and the other
 * registers (IER, LCR, MCR, scratch, divisor latch) hold what the guest writes. There is no
 * receive path and no interrupt yet. Eight byte-wide registers, as at I/O port 0x3f8 on a PC.
 *
 * <p>Accesses come from vCPU threads; state is guarded by this object's lock.
 */
public final class Serial16550 implements MmioOps {
    /** Line status: transmitter holding register empty | transmitter empty. */
    static final int LSR_IDLE = 0x60;
    private static final int LCR_DLAB = 0x80;

    private final OutputStream console;
    private int ier;
    private int lcr;
    private int mcr;
    private int scratch;
    private int dll = 0x0c;
    private int dlm;
    private long transmitted;

    public Serial16550(OutputStream console) {
        this.console = console;
    }

    @Override
    public AccessRules rules() {
        return AccessRules.of(1, 1, Endianness.LITTLE);
    }

    @Override
    public synchronized long read(long offset, int size) {
        boolean dlab = (lcr & LCR_DLAB) != 0;
        return switch ((int) offset) {
            case 0 -> dlab ? dll : 0;
            case 1 -> dlab ? dlm : ier;
            case 2 -> 0x01; // IIR: no interrupt pending
            case 3 -> lcr;
            case 4 -> mcr;
            case 5 -> LSR_IDLE;
            case 6 -> 0;
            default -> scratch;
        };
    }

    @Override
    public synchronized void write(long offset, int size, long value) {
        int v = (int) (value & 0xff);
        boolean dlab = (lcr & LCR_DLAB) != 0;
        switch ((int) offset) {
            case 0 -> {
                if (dlab) {
                    dll = v;
                } else {
                    transmit(v);
                }
            }
            case 1 -> {
                if (dlab) {
                    dlm = v;
                } else {
                    ier = v & 0x0f;
                }
            }
            case 2 -> { } // FCR: FIFOs are not modelled
            case 3 -> lcr = v;
            case 4 -> mcr = v & 0x1f;
            case 5, 6 -> { } // LSR and MSR are read-only
            default -> scratch = v;
        }
    }

    private void transmit(int b) {
        transmitted++;
        try {
            console.write(b);
            if (b == '\n') {
                console.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("serial console write", e);
        }
    }

    /** How many bytes the guest has sent. */
    public synchronized long transmitted() {
        return transmitted;
    }
}
