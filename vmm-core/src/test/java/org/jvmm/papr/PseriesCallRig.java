package org.jvmm.papr;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.jvmm.address.GuestAddress;
import org.jvmm.machine.config.MemoryConfig;
import org.jvmm.machine.pseries.PseriesBuilder;
import org.jvmm.machine.pseries.PseriesMachine;

/**
 * A pseries machine as the command line builds it (the POWER host's edu in slot 0, BARs
 * unassigned, the vty writing to {@link #console}), with hypercalls and RTAS calls made directly.
 */
final class PseriesCallRig implements AutoCloseable {
    static final long ARGS = 0x8000;
    final ByteArrayOutputStream consoleBytes = new ByteArrayOutputStream();
    final PseriesMachine m = new PseriesBuilder(MemoryConfig.of(32L << 20)).eduUnassigned(0).ppcCpu(false)
            .console(new PrintStream(consoleBytes, true, StandardCharsets.ISO_8859_1)).build();
    final long[] rets = new long[9];

    long hcall(long nr, long... args) {
        long[] a = new long[9];
        System.arraycopy(args, 0, a, 0, args.length);
        System.arraycopy(a, 0, rets, 0, 9);
        return m.hypercalls().call(nr, a, rets);
    }

    /** Makes RTAS call {@code name} with rtas_args at {@link #ARGS}; returns its rets[] (nret cells). */
    long[] rtas(String name, int nret, long... args) {
        return rtasToken(m.rtas().token(name), nret, args);
    }

    long[] rtasToken(long token, int nret, long... args) {
        write(ARGS, token);
        write(ARGS + 4, args.length);
        write(ARGS + 8, nret);
        for (int i = 0; i < args.length; i++) {
            write(ARGS + 12 + 4L * i, args[i]);
        }
        for (int i = 0; i < nret; i++) {
            write(ARGS + 12 + 4L * (args.length + i), 0x5a5a5a5aL);
        }
        lastStatus = hcall(org.jvmm.kvm.spapr.Papr.KVMPPC_H_RTAS, ARGS);
        long[] out = new long[nret];
        for (int i = 0; i < nret; i++) {
            out[i] = (int) read(ARGS + 12 + 4L * (args.length + i));
        }
        return out;
    }

    long lastStatus;

    void write(long at, long v) {
        m.systemMemory().write(new GuestAddress(at), 4, v);
    }

    long read(long at) {
        return m.systemMemory().read(new GuestAddress(at), 4);
    }

    String console() {
        return consoleBytes.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        m.close();
    }
}
