package org.jvmm.papr;

import static org.jvmm.kvm.spapr.Papr.H_PARAMETER;
import static org.jvmm.kvm.spapr.Papr.H_SUCCESS;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jvmm.address.GuestAddress;
import org.jvmm.memory.GuestMemory;

/**
 * RTAS as QEMU provides it (hw/ppc/spapr_rtas.c): the guest calls KVMPPC_H_RTAS with r4 = the
 * guest address of a big-endian {@code rtas_args} {token, nargs, nret, args[nargs], rets[nret]};
 * the call is found by token (each call has QEMU 7.2's fixed token, {@link RtasTokens}, published
 * to the guest through {@link #token} and the device tree's /rtas node); token 0xa is
 * display-character too when that call exists (QEMU's answer to Linux's early debug code); an
 * unknown token stores RTAS_OUT_PARAM_ERROR in rets[0] and returns H_PARAMETER. args[] and rets[] together hold at most
 * {@link #ARGS_CELLS} cells; {@link #hRtas} refuses counts past that before touching memory
 * through them.
 */
public final class Rtas {
    public static final int TOKEN_BASE = RtasTokens.BASE;
    public static final int RTAS_OUT_SUCCESS = 0;
    public static final int RTAS_OUT_HW_ERROR = -1;
    public static final int RTAS_OUT_PARAM_ERROR = -3;
    /**
     * Cells for args[] and rets[] together in rtas_args, after token, nargs and nret: 16, the
     * size of {@code args[]} in Linux's and KVM's {@code struct rtas_args}
     * (arch/powerpc/include/asm/rtas-types.h).
     */
    public static final int ARGS_CELLS = 16;

    /** One RTAS service. */
    @FunctionalInterface
    public interface Call {
        void call(Args args);
    }

    /** The arguments and return slots of one call, in guest memory (32-bit big-endian cells). */
    public static final class Args {
        private final GuestMemory memory;
        private final long argsAddr;
        private final long retsAddr;
        private final int nargs;
        private final int nret;

        Args(GuestMemory memory, long argsAddr, int nargs, long retsAddr, int nret) {
            this.memory = memory;
            this.argsAddr = argsAddr;
            this.retsAddr = retsAddr;
            this.nargs = nargs;
            this.nret = nret;
        }

        public int nargs() {
            return nargs;
        }

        public int nret() {
            return nret;
        }

        /** rtas_ld(args, i). */
        public long arg(int i) {
            return memory.read(new GuestAddress(argsAddr + 4L * i), 4) & 0xffff_ffffL;
        }

        /** rtas_st(rets, i, v). */
        public void ret(int i, long value) {
            memory.write(new GuestAddress(retsAddr + 4L * i), 4, value & 0xffff_ffffL);
        }
    }

    private final GuestMemory memory;
    private final Map<String, Integer> tokens = new java.util.TreeMap<>();
    private final Call[] calls = new Call[RtasTokens.MAX - RtasTokens.BASE];

    public Rtas(GuestMemory memory) {
        this.memory = memory;
    }

    /**
     * Registers RTAS service {@code name} under QEMU 7.2's token for it; returns the token.
     *
     * @throws IllegalArgumentException if QEMU 7.2 has no call of that name
     */
    public synchronized int register(String name, Call call) {
        if (tokens.containsKey(name)) {
            throw new IllegalStateException("RTAS call " + name + " registered twice");
        }
        int token = RtasTokens.of(name);
        tokens.put(name, token);
        calls[token - TOKEN_BASE] = call;
        return token;
    }

    /** The token of {@code name} (what the device tree's /rtas node tells the guest), or -1. */
    public synchronized int token(String name) {
        return tokens.getOrDefault(name, -1);
    }

    /** Every registered call's token, in token order. */
    public synchronized Map<String, Integer> tokens() {
        Map<String, Integer> byToken = new LinkedHashMap<>();
        tokens.entrySet().stream().sorted(Map.Entry.comparingByValue())
                .forEach(e -> byToken.put(e.getKey(), e.getValue()));
        return java.util.Collections.unmodifiableMap(byToken);
    }

    /** Registers KVMPPC_H_RTAS in {@code table}. */
    public void registerIn(PaprHypercalls table) {
        table.register(org.jvmm.kvm.spapr.Papr.KVMPPC_H_RTAS, (a, r) -> hRtas(a[0]));
    }

    /**
     * h_rtas: r4 = the rtas_args address. nargs and nret are unsigned 32-bit cells and are bounded
     * by the buffer before anything is read or written through them: args[] and rets[] share
     * {@link #ARGS_CELLS} cells. nargs of {@link #ARGS_CELLS} or more leaves no rets[0] for a
     * status: H_PARAMETER, nothing written (KVM's in-kernel RTAS, arch/powerpc/kvm/book3s_rtas.c,
     * refuses the same). nargs + nret past the buffer: RTAS_OUT_PARAM_ERROR in rets[0], H_SUCCESS,
     * as every call answers counts it does not take (QEMU hw/ppc/spapr_rtas.c).
     */
    public long hRtas(long rtasArgs) {
        int token = (int) memory.read(new GuestAddress(rtasArgs), 4);
        long nargs = memory.read(new GuestAddress(rtasArgs + 4), 4) & 0xffff_ffffL;
        long nret = memory.read(new GuestAddress(rtasArgs + 8), 4) & 0xffff_ffffL;
        if (nargs >= ARGS_CELLS) {
            return H_PARAMETER;
        }
        long argsAddr = rtasArgs + 12;
        long retsAddr = argsAddr + 4L * nargs;
        boolean fits = nret <= ARGS_CELLS - nargs;
        Args args = new Args(memory, argsAddr, (int) nargs, retsAddr, fits ? (int) nret : 1);
        Call c;
        synchronized (this) {
            int i = token - TOKEN_BASE;
            c = i >= 0 && i < calls.length ? calls[i] : null;
            if (c == null && token == RtasTokens.DISPLAY_CHARACTER_LEGACY) {
                c = calls[RtasTokens.of("display-character") - TOKEN_BASE];
            }
        }
        if (c == null) {
            if (nret > 0) {
                args.ret(0, RTAS_OUT_PARAM_ERROR);
            }
            return H_PARAMETER;
        }
        if (!fits) {
            args.ret(0, RTAS_OUT_PARAM_ERROR);
            return H_SUCCESS;
        }
        c.call(args);
        return H_SUCCESS;
    }
}
