package org.jvmm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jvmm.machine.fdt.Fdt;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ./vmm -M pseries -bios IMAGE} as QEMU 7.2 runs {@code qemu-system-ppc64 -M pseries
 * -nodefaults -nographic -serial stdio -bios IMAGE -device edu}: the guest (src/test/ppc-pseries,
 * hello-be.bin) prints what it printed on QEMU (committed as hello-be.qemu-7.2.txt), finds the
 * device tree in r3, finds the edu in slot 0 with BAR0 and COMMAND 0, and powers off through RTAS
 * token 0x2003: status 0, as QEMU exits. ibm,os-term is a guest failure (status 1) with its
 * message; system-reboot boots the image again; a guest that never powers off ends at -timeout.
 */
class PseriesBiosGuestRunsAsOnQemu72 {
    private static final String SUMMARY_HEAD = "\njvmm: the guest powered off (RTAS power-off)\n";

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = PseriesBiosGuestRunsAsOnQemu72.class.getResourceAsStream("/pseries/" + name)) {
            return in.readAllBytes();
        }
    }

    private static Path hello(Path dir) throws IOException {
        Path p = dir.resolve("hello-be.bin");
        Files.write(p, resource("hello-be.bin"));
        return p;
    }

    /** A firmware image: big-endian words at the given addresses, the rest zero. */
    private static Path image(Path dir, String name, int size, long[][] words, byte[][] data, long[] dataAt) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(size);
        for (long[] w : words) {
            b.putInt((int) w[0], (int) w[1]);
        }
        for (int i = 0; i < data.length; i++) {
            b.put((int) dataAt[i], data[i]);
        }
        Path p = dir.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    private static final long LI_R3_0 = 0x38600000L;
    private static final long ORI_R3_F000 = 0x6063f000L;
    private static final long SC_1 = 0x44000022L;
    private static final long B_SELF = 0x48000000L;

    @ParameterizedTest(name = "kvm-tce={0}")
    @ValueSource(strings = {"on", "off"})
    @DisplayName("the guest prints what it printed on QEMU 7.2 and powers off: status 0, then the run summary")
    void helloPrintsQemusLinesAndPowersOff(String kvmTce, @TempDir Path dir) throws IOException {
        CliRun r = CliRun.of("-M", "pseries,kvm-tce=" + kvmTce, "-bios", hello(dir).toString());
        assertEquals(0, r.status(), r.err());
        String qemu = new String(resource("hello-be.qemu-7.2.txt"), StandardCharsets.ISO_8859_1);
        assertTrue(r.out().startsWith(qemu + SUMMARY_HEAD), r.out());
        assertEquals("slot 0: 1234:11e8 bar0 00000000 command 0000", r.out().lines().toList().get(2),
                "the edu as the guest finds it: BARs unassigned, COMMAND 0");
        assertTrue(r.out().contains("\nreboots        0\n"), r.out());
        assertEquals("", r.err());
    }

    @Test
    @DisplayName("live: QEMU 7.2 prints the same lines for the same image (skipped without qemu-system-ppc64)")
    void liveQemuPrintsTheSameLines(@TempDir Path dir) throws Exception {
        boolean qemu;
        try {
            qemu = new ProcessBuilder("qemu-system-ppc64", "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException e) {
            qemu = false;
        }
        assumeTrue(qemu, "qemu-system-ppc64 (Debian qemu-system-ppc) is not installed: the live comparison is skipped;"
                + " helloPrintsQemusLinesAndPowersOff compares with QEMU's committed transcript");
        Process p = new ProcessBuilder("qemu-system-ppc64", "-M", "pseries", "-nodefaults", "-nographic", "-serial", "stdio",
                "-bios", hello(dir).toString(), "-device", "edu").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "QEMU exits 0 after RTAS power-off");
        CliRun r = CliRun.of("-M", "pseries", "-bios", hello(dir).toString());
        assertTrue(r.out().startsWith(out + SUMMARY_HEAD), "QEMU printed:\n" + out + "\njvmm printed:\n" + r.out());
    }

    @Test
    @DisplayName("ibm,os-term ends the run as a guest failure: status 1, with the guest's message")
    void osTermIsAGuestFailure(@TempDir Path dir) throws IOException {
        Path img = image(dir, "osterm.bin", 0x2000,
                new long[][] {{0x100, 0x38801000L}, {0x104, LI_R3_0}, {0x108, ORI_R3_F000}, {0x10c, SC_1}, {0x110, B_SELF},
                    {0x1000, 0x201f}, {0x1004, 1}, {0x1008, 1}, {0x100c, 0x1100}},
                new byte[][] {"oops: bad thing\0".getBytes(StandardCharsets.ISO_8859_1)}, new long[] {0x1100});
        CliRun r = CliRun.of("-M", "pseries", "-bios", img.toString());
        assertEquals(1, r.status(), r.out());
        assertTrue(r.out().startsWith("\njvmm: the guest terminated (RTAS ibm,os-term): OS terminated: oops: bad thing\n"),
                r.out());
    }

    @Test
    @DisplayName("system-reboot resets the machine and boots the image again; the second boot powers off: status 0, 1 reboot")
    void rebootBootsAgain(@TempDir Path dir) throws IOException {
        // r5 = 0x4000 (a flag in RAM outside the image, which a reset does not clear, as on QEMU);
        // flag 0: set it, system-reboot; flag 1: power-off.
        Path img = image(dir, "reboot.bin", 0x2000,
                new long[][] {{0x100, 0x38a04000L}, {0x104, 0x80c50000L}, {0x108, 0x2c060000L}, {0x10c, 0x40820018L},
                    {0x110, 0x38c00001L}, {0x114, 0x90c50000L}, {0x118, 0x38801000L}, {0x11c, 0x48000010L},
                    {0x120, B_SELF}, {0x124, 0x38801100L}, {0x128, 0x60000000L}, {0x12c, LI_R3_0}, {0x130, ORI_R3_F000},
                    {0x134, SC_1}, {0x138, B_SELF},
                    {0x1000, 0x2004}, {0x1004, 0}, {0x1008, 1},
                    {0x1100, 0x2003}, {0x1104, 2}, {0x1108, 1}, {0x110c, 0xffffffffL}, {0x1110, 0xffffffffL}},
                new byte[0][], new long[0]);
        CliRun r = CliRun.of("-M", "pseries", "-bios", img.toString());
        assertEquals(0, r.status(), r.out());
        assertTrue(r.out().startsWith(SUMMARY_HEAD), r.out());
        assertTrue(r.out().endsWith("\nreboots        1\n"), r.out());
    }

    @Test
    @DisplayName("a guest that never powers off ends at -timeout: status 1")
    void spinningGuestEndsAtTheTimeout(@TempDir Path dir) throws IOException {
        Path img = image(dir, "spin.bin", 0x200, new long[][] {{0x100, B_SELF}}, new byte[0][], new long[0]);
        CliRun r = CliRun.of("-M", "pseries", "-bios", img.toString(), "-timeout", "1");
        assertEquals(1, r.status(), r.out());
        assertTrue(r.out().startsWith("\njvmm: the guest did not power off within the time limit (-timeout)\n"), r.out());
    }

    @Test
    @DisplayName("dumpdtb=FILE writes the device tree and exits 0 without running the guest, as QEMU")
    void dumpdtbWritesTheTree(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("t.dtb");
        CliRun r = CliRun.of("-M", "pseries,dumpdtb=" + f, "-m", "1G");
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.out());
        assertEquals("vmm: info: dtb dumped to " + f + ". Exiting.", r.firstErrLine());
        assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0},
                Fdt.read(Files.readAllBytes(f)).lookup("/memory@0").get("reg"), "-m 1G");
    }

    @Test
    @DisplayName("pseries refuses what QEMU refuses, naming the option and value")
    void refusals(@TempDir Path dir) throws IOException {
        Path bios = hello(dir);
        List<String[]> cases = List.of(
                new String[] {"-append console=hvc0: only allowed with -kernel option (as QEMU)",
                    "-M", "pseries", "-bios", bios.toString(), "-append", "console=hvc0"},
                new String[] {"-bios " + dir.resolve("none.bin") + ": no such file",
                    "-M", "pseries", "-bios", dir.resolve("none.bin").toString()},
                new String[] {"-bios " + dir + ": is a directory, not a firmware image", "-M", "pseries", "-bios", dir.toString()},
                new String[] {"-device e1000: 'e1000' is not a valid device model name (known: vfio-pci)",
                    "-M", "pseries", "-bios", bios.toString(), "-device", "e1000"},
                new String[] {"-device vfio-pci,host=0000:00:03.0: no such host function; the POWER host's edu is at 0001:01:00.0",
                    "-M", "pseries", "-bios", bios.toString(), "-device", "vfio-pci,host=0000:00:03.0"},
                new String[] {"-bios " + bios + ": means nothing with -M x86-toy (it boots a -kernel ELF); pseries only",
                    "-bios", bios.toString()},
                new String[] {"-M pseries,dumpdtb=: Parameter 'dumpdtb' expects a file name", "-M", "pseries,dumpdtb="});
        for (String[] c : cases) {
            CliRun r = CliRun.of(java.util.Arrays.copyOfRange(c, 1, c.length));
            assertEquals(2, r.status(), c[0] + "\n" + r.err());
            assertEquals("vmm: " + c[0], r.firstErrLine());
            assertEquals("", r.out());
        }
    }

    @Test
    @DisplayName("-device vfio-pci,host=0001:01:00.0,addr=4 puts the edu in slot 4")
    void deviceAddrPicksTheSlot(@TempDir Path dir) throws IOException {
        CliRun r = CliRun.of("-M", "pseries", "-bios", hello(dir).toString(), "-device", "vfio-pci,host=0001:01:00.0,addr=4");
        assertEquals(0, r.status(), r.err());
        assertEquals("config read failed", r.out().lines().toList().get(2).substring(8, 26),
                "slot 0 is empty now: ibm,read-pci-config answers RTAS_OUT_HW_ERROR");
    }
}
