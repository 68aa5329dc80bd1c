package org.jvmm.cli;

import java.util.Locale;
import picocli.CommandLine;

/** The command line's number options: {@code -timeout} and {@code -append}. */
final class NumberConverters {
    /** The longest run {@code -timeout} takes: one day. */
    static final long TIMEOUT_MAX_SECONDS = 86_400;

    private NumberConverters() {
    }

    /**
     * {@code -timeout SECONDS}: a whole number of seconds from 1 to {@link #TIMEOUT_MAX_SECONDS}.
     * A run always has a limit (0 would mean none, and a wedged guest would keep the VMM forever).
     */
    static final class Timeout implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String text) {
            return parse(text);
        }

        static long parse(String text) {
            long n;
            try {
                n = Long.parseLong(text.trim());
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + text + "' is not a whole number of seconds (1 to "
                        + TIMEOUT_MAX_SECONDS + ")");
            }
            if (n < 1 || n > TIMEOUT_MAX_SECONDS) {
                throw new CommandLine.TypeConversionException("'" + text + "' is outside 1 to " + TIMEOUT_MAX_SECONDS
                        + " seconds (every run has a time limit, of at most a day)");
            }
            return n;
        }
    }

    /** {@code -append N}: a 64-bit value for RDI, decimal (signed or unsigned) or hexadecimal with 0x. */
    static final class Register64 implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String text) {
            return parse(text);
        }

        static long parse(String text) {
            String t = text.trim().toLowerCase(Locale.ROOT);
            try {
                if (t.startsWith("0x")) {
                    return Long.parseUnsignedLong(t.substring(2), 16);
                }
                return t.startsWith("-") ? Long.parseLong(t) : Long.parseUnsignedLong(t);
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + text
                        + "' is not a 64-bit number (decimal, or hexadecimal with 0x)");
            }
        }
    }
}
