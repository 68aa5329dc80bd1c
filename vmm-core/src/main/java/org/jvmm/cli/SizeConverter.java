package org.jvmm.cli;

import java.util.Locale;
import picocli.CommandLine;

/**
 * Parses sizes as QEMU's {@code -m} does: a number with an optional K, M, G or T suffix (powers of
 * 1024); a bare number means MiB.
 */
final class SizeConverter implements CommandLine.ITypeConverter<Long> {

    @Override
    public Long convert(String text) {
        return parse(text);
    }

    static long parse(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        if (t.endsWith("B") && t.length() > 1 && "KMGT".indexOf(t.charAt(t.length() - 2)) >= 0) {
            t = t.substring(0, t.length() - 1);
        }
        long unit = 1L << 20;
        if (!t.isEmpty() && "KMGT".indexOf(t.charAt(t.length() - 1)) >= 0) {
            unit = 1L << (10 * ("KMGT".indexOf(t.charAt(t.length() - 1)) + 1));
            t = t.substring(0, t.length() - 1);
        }
        long n;
        try {
            n = Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a size (examples: 64M, 1G, 512)");
        }
        if (n <= 0) {
            throw new CommandLine.TypeConversionException("'" + text + "' is not a size above zero");
        }
        if (n > Long.MAX_VALUE / unit) {
            throw new CommandLine.TypeConversionException("'" + text + "' is too large (a size is below 8 EiB)");
        }
        return n * unit;
    }
}
