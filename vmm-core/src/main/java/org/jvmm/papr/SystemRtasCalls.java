package org.jvmm.papr;

import static org.jvmm.papr.Rtas.RTAS_OUT_HW_ERROR;
import static org.jvmm.papr.Rtas.RTAS_OUT_PARAM_ERROR;
import static org.jvmm.papr.Rtas.RTAS_OUT_SUCCESS;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.function.Consumer;
import org.jvmm.address.GuestAddress;
import org.jvmm.memory.GuestMemory;

/**
 * The machine-level RTAS calls of QEMU 7.2 (hw/ppc/spapr_rtas.c), with its status codes:
 * <ul>
 * <li>display-character: args[0]'s low byte to the default vty; RTAS_OUT_HW_ERROR without one;</li>
 * <li>get-time-of-day: nret must be 8 (else RTAS_OUT_PARAM_ERROR); year, month, day, hour,
 *     minute, second of the clock in UTC, and 0 nanoseconds (QEMU keeps none);</li>
 * <li>power-off: nargs 2 and nret 1 (else RTAS_OUT_PARAM_ERROR); asks the machine to shut down
 *     and stops the calling vCPU;</li>
 * <li>system-reboot: nargs 0 and nret 1 (else RTAS_OUT_PARAM_ERROR); asks the machine to reset;</li>
 * <li>ibm,os-term: args[0] is the guest address of a message (at most 511 bytes, up to its NUL);
 *     the machine reports the guest panicked; RTAS_OUT_SUCCESS, with no count checks.</li>
 * </ul>
 */
public final class SystemRtasCalls {
    /** Bytes of an os-term message QEMU reads (its 512-byte buffer less the NUL). */
    public static final int OS_TERM_MESSAGE_MAX = 511;

    /** What the calls ask of the machine. Called on the vCPU thread, inside the RTAS call. */
    public interface Machine {
        /** power-off: shut down when this call returns; the vCPU must not run again. */
        void powerOff();

        /** system-reboot: reset the machine when this call returns. */
        void reboot();

        /** ibm,os-term: the guest panicked with {@code message}. */
        void osTerm(String message);
    }

    private final GuestMemory memory;
    private final Consumer<byte[]> defaultVty;
    private final Machine machine;
    private final Clock clock;

    /**
     * @param defaultVty where display-character writes, or null when the machine has no vty
     */
    public SystemRtasCalls(GuestMemory memory, Consumer<byte[]> defaultVty, Machine machine, Clock clock) {
        this.memory = memory;
        this.defaultVty = defaultVty;
        this.machine = machine;
        this.clock = clock;
    }

    public void registerIn(Rtas rtas) {
        rtas.register("display-character", this::displayCharacter);
        rtas.register("get-time-of-day", this::getTimeOfDay);
        rtas.register("power-off", this::powerOff);
        rtas.register("system-reboot", this::systemReboot);
        rtas.register("ibm,os-term", this::osTerm);
    }

    void displayCharacter(Rtas.Args a) {
        if (defaultVty == null) {
            a.ret(0, RTAS_OUT_HW_ERROR);
            return;
        }
        defaultVty.accept(new byte[] {(byte) a.arg(0)});
        a.ret(0, RTAS_OUT_SUCCESS);
    }

    void getTimeOfDay(Rtas.Args a) {
        if (a.nret() != 8) {
            a.ret(0, RTAS_OUT_PARAM_ERROR);
            return;
        }
        ZonedDateTime t = ZonedDateTime.now(clock).withZoneSameInstant(ZoneOffset.UTC);
        a.ret(0, RTAS_OUT_SUCCESS);
        a.ret(1, t.getYear());
        a.ret(2, t.getMonthValue());
        a.ret(3, t.getDayOfMonth());
        a.ret(4, t.getHour());
        a.ret(5, t.getMinute());
        a.ret(6, t.getSecond());
        a.ret(7, 0);
    }

    void powerOff(Rtas.Args a) {
        if (a.nargs() != 2 || a.nret() != 1) {
            a.ret(0, RTAS_OUT_PARAM_ERROR);
            return;
        }
        machine.powerOff();
        a.ret(0, RTAS_OUT_SUCCESS);
    }

    void systemReboot(Rtas.Args a) {
        if (a.nargs() != 0 || a.nret() != 1) {
            a.ret(0, RTAS_OUT_PARAM_ERROR);
            return;
        }
        machine.reboot();
        a.ret(0, RTAS_OUT_SUCCESS);
    }

    void osTerm(Rtas.Args a) {
        byte[] msg = new byte[OS_TERM_MESSAGE_MAX];
        memory.read(new GuestAddress(a.arg(0)), MemorySegment.ofArray(msg));
        int n = 0;
        while (n < msg.length && msg[n] != 0) {
            n++;
        }
        machine.osTerm(new String(msg, 0, n, StandardCharsets.ISO_8859_1));
        a.ret(0, RTAS_OUT_SUCCESS);
    }
}
