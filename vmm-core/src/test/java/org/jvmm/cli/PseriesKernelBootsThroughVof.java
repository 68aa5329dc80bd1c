package org.jvmm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code -M pseries -kernel ELF}: booted as QEMU 7.2's x-vof=on, the client interface's exit ends
 * the run with status 0; what cannot be booted is refused naming the option and the value.
 */
class PseriesKernelBootsThroughVof {

    /**
     * A big-endian kernel that calls the client interface's exit: mtctr r5; lis r3,0x40;
     * ori r3,r3,0x100; bctrl; b . with its argument array at 0x400100 and "exit" at 0x400120.
     */
    static byte[] exitKernel() {
        ByteBuffer b = ByteBuffer.allocate(120 + 0x128).order(ByteOrder.BIG_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 2, 1, 0});
        b.putShort(16, (short) 2).putShort(18, (short) 21).putInt(20, 1).putLong(24, 0x40_0000).putLong(32, 64);
        b.putShort(52, (short) 64).putShort(54, (short) 56).putShort(56, (short) 1);
        b.putInt(64, 1).putInt(68, 7).putLong(72, 120).putLong(80, 0x40_0000).putLong(88, 0).putLong(96, 0x128)
                .putLong(104, 0x128);
        int code = 120;
        for (int insn : new int[] {0x7ca903a6, 0x3c600040, 0x60630100, 0x4e800421, 0x48000000}) {
            b.putInt(code, insn);
            code += 4;
        }
        b.putInt(120 + 0x100, 0x40_0120).putInt(120 + 0x104, 0).putInt(120 + 0x108, 0);
        b.put(120 + 0x120, new byte[] {'e', 'x', 'i', 't', 0});
        return b.array();
    }

    @Test
    @DisplayName("a kernel calling the client interface's exit ends the run with status 0 and says so")
    void exitEndsTheRun(@TempDir Path dir) throws IOException {
        Path k = Files.write(dir.resolve("exit.elf"), exitKernel());
        CliRun r = CliRun.of("-M", "pseries,x-vof=on", "-kernel", k.toString(), "-append", "console=hvc0", "-timeout", "60");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().startsWith("\njvmm: the guest called exit (Open Firmware client interface)\n"), r.out());
        assertTrue(r.out().contains("exits          1 (papr_hcall 1)\n"), r.out());
    }

    @Test
    @DisplayName("-kernel refusals name the option and the value")
    void refusals(@TempDir Path dir) throws IOException {
        Path k = Files.write(dir.resolve("exit.elf"), exitKernel());
        Path text = Files.writeString(dir.resolve("text"), "not an ELF file at all, just some text that is longer than the header of one");
        byte[] x86 = exitKernel();
        x86[19] = 62;
        Path x86k = Files.write(dir.resolve("x86.elf"), x86);
        List<String[]> cases = List.of(
                new String[] {"-bios " + k + ": not with -kernel " + k + " (jvmm serves the Open Firmware client interface"
                        + " itself, as QEMU's x-vof=on, so there is no firmware to give)",
                    "-M", "pseries", "-kernel", k.toString(), "-bios", k.toString()},
                new String[] {"-kernel " + dir.resolve("none") + ": no such file",
                    "-M", "pseries", "-kernel", dir.resolve("none").toString()},
                new String[] {"-kernel " + dir + ": is a directory, not an ELF file", "-M", "pseries", "-kernel", dir.toString()},
                new String[] {"-kernel " + text + ": ELF: bad magic 6e 6f 74 20, expected 7f 45 4c 46",
                    "-M", "pseries", "-kernel", text.toString()},
                new String[] {"-kernel " + x86k + ": ELF: e_machine is 62, expected 21 (EM_PPC64)",
                    "-M", "pseries", "-kernel", x86k.toString()},
                new String[] {"-M pseries,x-vof=off: x-vof=off: jvmm has no SLOF; its pseries takes only x-vof=on (the client"
                        + " interface served in the VMM)", "-M", "pseries,x-vof=off", "-kernel", k.toString()});
        for (String[] c : cases) {
            CliRun r = CliRun.of(java.util.Arrays.copyOfRange(c, 1, c.length));
            assertEquals(2, r.status(), c[0] + "\n" + r.err());
            assertEquals("vmm: " + c[0], r.firstErrLine());
            assertEquals("", r.out());
        }
    }
}
