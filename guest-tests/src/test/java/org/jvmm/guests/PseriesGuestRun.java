package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jvmm.cli.Main;

/**
 * One ppc64 image run end to end on jvmm's pseries machine on the soft CPU, as a user types it:
 * {@code ./vmm -M pseries,kvm-tce=on|off -bios IMAGE} (default RAM 512 MiB, the POWER host's edu
 * through vfio-pci in slot 0). What the guest printed on its vty is everything before the VMM's
 * "jvmm: " stop line; the run summary rows follow that line.
 *
 * @param status the command line's exit status
 * @param guest what the guest printed
 * @param stopLine the VMM's stop line (without "jvmm: ")
 * @param rows the summary rows, by name ("exits", "iommu", ...)
 * @param all everything printed, for failure messages
 */
record PseriesGuestRun(int status, String guest, String stopLine, Map<String, String> rows, String all) {
    static final String POWERED_OFF = "the guest powered off (RTAS power-off)";

    static PseriesGuestRun run(String name, String endian, boolean kvmTce) {
        return run("-M", "pseries,kvm-tce=" + (kvmTce ? "on" : "off"), "-bios", Ppc64Guests.image(name, endian).toString(),
                "-timeout", "120");
    }

    /**
     * A -kernel guest as the QEMU command that recorded its transcript boots it:
     * {@code ./vmm -M pseries,x-vof=on -kernel NAME-ENDIAN.elf -append console=hvc0}.
     */
    static PseriesGuestRun runKernel(String name, String endian) {
        return run("-M", "pseries,x-vof=on", "-kernel", Ppc64Guests.kernelImage(name, endian).toString(), "-append",
                Ppc64Guests.KERNEL_APPEND, "-timeout", "120");
    }

    private static PseriesGuestRun run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        String text = out.toString(StandardCharsets.UTF_8);
        String all = text + (err.size() == 0 ? "" : "\n[stderr]\n" + err.toString(StandardCharsets.UTF_8));
        int stop = text.indexOf("\njvmm: ");
        assertTrue(stop >= 0, () -> "no jvmm stop line in:\n" + all);
        String[] after = text.substring(stop + 1).split("\n");
        Map<String, String> rows = new LinkedHashMap<>();
        Pattern row = Pattern.compile("([a-z][a-z ]*?) {2,}(.*)");
        for (int i = 1; i < after.length; i++) {
            Matcher m = row.matcher(after[i]);
            if (m.matches()) {
                rows.put(m.group(1), m.group(2));
            }
        }
        return new PseriesGuestRun(status, text.substring(0, stop), after[0].substring("jvmm: ".length()), rows, all);
    }

    /** A summary row's value; fails when the row is missing. */
    String row(String key) {
        String v = rows.get(key);
        assertTrue(v != null, () -> "no summary row '" + key + "' in:\n" + all);
        return v;
    }

    /** How many exits of one kind ("papr_hcall", "mmio") the exits row counts (0 when not listed). */
    long exits(String kind) {
        Matcher m = Pattern.compile("[(, ]" + Pattern.quote(kind) + " ([0-9]+)").matcher(row("exits"));
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    /** The run powered off through RTAS and the command line answered status 0, as QEMU exits. */
    void assertPoweredOff() {
        assertEquals(POWERED_OFF, stopLine, all);
        assertEquals(0, status, all);
    }

    /** The guest printed exactly {@code expected} (timebase values masked on both sides). */
    void assertPrinted(String expected) {
        assertEquals(Ppc64Guests.maskTimebase(expected), Ppc64Guests.maskTimebase(guest), all);
    }
}
