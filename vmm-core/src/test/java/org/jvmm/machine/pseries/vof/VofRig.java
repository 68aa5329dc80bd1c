package org.jvmm.machine.pseries.vof;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.jvmm.address.GuestAddress;
import org.jvmm.kvm.elf.Elf64Image;
import org.jvmm.machine.config.MemoryConfig;
import org.jvmm.machine.pseries.PseriesBuilder;
import org.jvmm.machine.pseries.PseriesMachine;

/**
 * A pseries machine as the command line builds it for -kernel (512 MiB, the edu in slot 0, the vty
 * writing to {@link #console}) with a tiny kernel booted through {@link VofBoot}, and client
 * interface calls made through the hypercall, as the entry stub makes them: the argument array at
 * {@link #ARGS}, strings from {@link #STRINGS}.
 */
final class VofRig implements AutoCloseable {
    static final long ARGS = 0x2_0000;
    static final long STRINGS = 0x2_1000;
    static final long BUF = 0x2_2000;
    /** The tiny kernel: 8 file bytes and 0x1000 in memory at p_paddr 0x100000 (so 0x500000 once placed). */
    static final long KERNEL_PADDR = 0x10_0000;
    static final long KERNEL_MEMSZ = 0x1000;

    final ByteArrayOutputStream consoleBytes = new ByteArrayOutputStream();
    final PseriesMachine m;
    final VofBoot boot;
    long status;
    private long nextString;

    VofRig(boolean bigEndian) {
        m = new PseriesBuilder(MemoryConfig.of(512L << 20)).eduUnassigned(0).ppcCpu(false)
                .console(new PrintStream(consoleBytes, true, StandardCharsets.ISO_8859_1)).build();
        byte[] elf = tinyKernel(bigEndian);
        boot = new VofBoot(m, elf, Elf64Image.parse(elf, Elf64Image.EM_PPC64), "console=hvc0");
        boot.boot();
    }

    /** An ET_EXEC for EM_PPC64: one PT_LOAD, 8 file bytes (0x11..0x18), p_memsz 0x1000, entry at its start. */
    static byte[] tinyKernel(boolean bigEndian) {
        ByteBuffer b = ByteBuffer.allocate(64 + 56 + 8).order(bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, (byte) (bigEndian ? 2 : 1), 1, 0});
        b.putShort(16, (short) 2);
        b.putShort(18, (short) Elf64Image.EM_PPC64);
        b.putInt(20, 1);
        b.putLong(24, 0xc000_0000_0000_0000L); // e_entry = p_vaddr
        b.putLong(32, 64);
        b.putShort(52, (short) 64);
        b.putShort(54, (short) 56);
        b.putShort(56, (short) 1);
        b.putInt(64, 1);
        b.putInt(68, 5);
        b.putLong(72, 120);
        b.putLong(80, 0xc000_0000_0000_0000L);
        b.putLong(88, KERNEL_PADDR);
        b.putLong(96, 8);
        b.putLong(104, KERNEL_MEMSZ);
        for (int i = 0; i < 8; i++) {
            b.put(120 + i, (byte) (0x11 + i));
        }
        return b.array();
    }

    /** A NUL-terminated string in guest RAM; its address. */
    long str(String s) {
        long at = STRINGS + nextString;
        byte[] b = (s + "\0").getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < b.length; i++) {
            m.systemMemory().write(new GuestAddress(at + i), 1, b[i]);
        }
        nextString += (b.length + 7) & ~7;
        return at;
    }

    /** Calls {@code service} with 32-bit arguments and {@code nret} returns; the returns (first: the answer). */
    long[] call(String service, int nret, long... args) {
        return callRaw(str(service), args.length, nret, args);
    }

    /** As {@link #call} with the counts as given; the return cells are preset to 0x5a5a5a5a. */
    long[] callRaw(long service, int nargs, int nret, long... args) {
        cell(ARGS, service);
        cell(ARGS + 4, nargs);
        cell(ARGS + 8, nret);
        for (int i = 0; i < 10; i++) {
            cell(ARGS + 12 + 4L * i, i < args.length ? args[i] : 0x5a5a5a5aL);
        }
        long[] a = new long[9];
        a[0] = ARGS;
        status = m.hypercalls().call(VofClient.KVMPPC_H_VOF_CLIENT, a, new long[9]);
        long[] out = new long[Math.max(0, Math.min(nret, 10 - nargs))];
        for (int i = 0; i < out.length; i++) {
            out[i] = read(ARGS + 12 + 4L * (nargs + i));
        }
        return out;
    }

    /** The first return of a one-return service, as a signed 32-bit value. */
    int one(String service, long... args) {
        return (int) call(service, 1, args)[0];
    }

    void cell(long at, long v) {
        m.systemMemory().write(new GuestAddress(at), 4, v);
    }

    long read(long at) {
        return m.systemMemory().read(new GuestAddress(at), 4);
    }

    String readString(long at) {
        StringBuilder s = new StringBuilder();
        for (long a = at; ; a++) {
            int c = (int) m.systemMemory().read(new GuestAddress(a), 1);
            if (c == 0) {
                return s.toString();
            }
            s.append((char) c);
        }
    }

    byte[] bytes(long at, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) m.systemMemory().read(new GuestAddress(at + i), 1);
        }
        return b;
    }

    int phandle(String path) {
        return one("finddevice", str(path));
    }

    String console() {
        return consoleBytes.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        m.close();
    }
}
