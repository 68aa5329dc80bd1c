package org.jvmm.fuzz;

import java.util.SplittableRandom;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.hw.spapr.SpaprPhb;
import org.jvmm.kvm.spapr.Papr;

/**
 * The numbers a hostile pseries guest would pick: addresses at and around every region of the
 * machine (RAM, its end, the RTAS buffer, the PHB's MMIO window, edu's BAR0 and its registers, the
 * top of the address space), hypercall numbers and arguments (LIOBNs, IOBAs across and outside the
 * windows, TCEs with every permission combination), and plain random numbers.
 */
final class PseriesValues {
    /** Guest RAM of the fuzzed machines (small: they are built for every case). */
    static final long RAM = 16L << 20;
    /** edu's BAR0 in slot 1 (PseriesMachine.bar0Address(1)). */
    static final long EDU_BAR0 = SpaprPhb.MMIO_WINDOW_BASE + 0x8000_0000L + 16L * 1024 * 1024;
    static final long LIOBN32 = 0x8000_0000L;
    static final long LIOBN64 = 0x8000_0001L;

    private static final int[] EDU_REGS = {EduDevice.REG_ID, EduDevice.REG_LIVENESS, EduDevice.REG_FACTORIAL,
        EduDevice.REG_STATUS, EduDevice.REG_IRQ_STATUS, EduDevice.REG_IRQ_RAISE, EduDevice.REG_IRQ_ACK,
        EduDevice.REG_DMA_SRC, EduDevice.REG_DMA_DST, EduDevice.REG_DMA_COUNT, EduDevice.REG_DMA_CMD};
    static final long[] HCALLS = {Papr.H_PUT_TCE, Papr.H_GET_TCE, Papr.H_STUFF_TCE, Papr.H_PUT_TCE_INDIRECT,
        Papr.KVMPPC_H_RTAS, Papr.H_CEDE};

    private PseriesValues() {
    }

    /** A guest-physical address. */
    static long address(SplittableRandom r) {
        long a = switch (r.nextInt(12)) {
            case 0, 1 -> r.nextLong(RAM);
            case 2 -> RAM - 1 - r.nextInt(16);
            case 3 -> RAM + r.nextInt(16);
            case 4 -> 0x1000 + r.nextInt(64);
            case 5, 6 -> EDU_BAR0 + EDU_REGS[r.nextInt(EDU_REGS.length)] + (r.nextInt(4) == 0 ? r.nextInt(8) : 0);
            case 7 -> EDU_BAR0 + r.nextInt(1 << 21) - (1 << 20); // around and beyond the 1 MiB BAR
            case 8 -> SpaprPhb.MMIO_WINDOW_BASE + (r.nextBoolean() ? r.nextLong(SpaprPhb.MMIO_WINDOW_SIZE)
                    : SpaprPhb.MMIO_WINDOW_SIZE - r.nextInt(16) + r.nextInt(32) - 16);
            case 9 -> (1L << 48) - r.nextInt(16);
            case 10 -> -1L - r.nextInt(16);
            default -> r.nextLong();
        };
        return a;
    }

    /** A value to store or pass: small, boundary, an address, or anything. */
    static long value(SplittableRandom r) {
        return switch (r.nextInt(8)) {
            case 0, 1 -> r.nextInt(256);
            case 2 -> new long[] {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0xffffffffL, 0x80000000L, 4096, 4095}[r.nextInt(9)];
            case 3 -> address(r);
            case 4 -> eduDmaValue(r);
            default -> r.nextLong();
        };
    }

    /** Something to write into an edu DMA register: a bus address, a count, or a command. */
    static long eduDmaValue(SplittableRandom r) {
        return switch (r.nextInt(6)) {
            case 0 -> EduDevice.DMA_BUFFER_START + r.nextInt(EduDevice.DMA_BUFFER_SIZE + 16);
            case 1 -> r.nextInt(EduDevice.DMA_BUFFER_SIZE + 16);
            case 2 -> r.nextInt(8) | (r.nextBoolean() ? EduDevice.DMA_CMD_RUN : 0);
            case 3 -> r.nextLong(SpaprPhb.DMA_WIN_SIZE + 8192);
            case 4 -> SpaprPhb.DMA64_WIN_ADDR + r.nextLong(1 << 24);
            default -> r.nextLong();
        };
    }

    /** A LIOBN: the two windows' mostly, sometimes any. */
    static long liobn(SplittableRandom r) {
        return switch (r.nextInt(6)) {
            case 0, 1, 2 -> LIOBN32;
            case 3 -> LIOBN64;
            case 4 -> LIOBN32 + r.nextInt(4) - 1;
            default -> r.nextLong() & (r.nextBoolean() ? 0xffffffffL : -1L);
        };
    }

    /** An IOBA: inside, at the edges of and outside the windows. */
    static long ioba(SplittableRandom r) {
        return switch (r.nextInt(7)) {
            case 0, 1 -> r.nextLong(SpaprPhb.DMA_WIN_SIZE) & ~0xfffL;
            case 2 -> SpaprPhb.DMA_WIN_SIZE - 4096 * (r.nextInt(3));
            case 3 -> SpaprPhb.DMA64_WIN_ADDR + (r.nextLong(1L << 32) & ~0xfffL);
            case 4 -> r.nextLong(SpaprPhb.DMA_WIN_SIZE); // unaligned
            case 5 -> -4096L * (1 + r.nextInt(4));
            default -> r.nextLong();
        };
    }

    /** A TCE: a RAM page (or not) with permission bits 0-3 (and sometimes junk in between). */
    static long tce(SplittableRandom r) {
        long page = switch (r.nextInt(5)) {
            case 0, 1, 2 -> r.nextLong(RAM) & ~0xfffL;
            case 3 -> RAM + 4096L * r.nextInt(4);
            default -> r.nextLong() & ~0xfffL;
        };
        return page | r.nextInt(4) | (r.nextInt(8) == 0 ? r.nextInt(4096) : 0);
    }

    /** Hypercall arguments shaped for {@code opcode} most of the time, random otherwise. */
    static long[] hcallArgs(SplittableRandom r, long opcode) {
        int n = r.nextInt(10);
        long[] a = new long[Math.max(n, 4)];
        for (int i = 0; i < a.length; i++) {
            a[i] = value(r);
        }
        if (r.nextInt(5) == 0) {
            return a;
        }
        if (opcode == Papr.H_PUT_TCE || opcode == Papr.H_GET_TCE || opcode == Papr.H_STUFF_TCE
                || opcode == Papr.H_PUT_TCE_INDIRECT) {
            a[0] = liobn(r);
            a[1] = ioba(r);
            a[2] = opcode == Papr.H_PUT_TCE_INDIRECT ? address(r) & (r.nextBoolean() ? ~0xfffL : -1L) : tce(r);
            a[3] = opcode == Papr.H_STUFF_TCE || opcode == Papr.H_PUT_TCE_INDIRECT
                    ? new long[] {0, 1, 2, 511, 512, 513, 1 << 18, r.nextInt(1024), -1, r.nextLong()}[r.nextInt(10)]
                    : a[3];
        } else if (opcode == Papr.KVMPPC_H_RTAS) {
            a[0] = r.nextInt(3) == 0 ? address(r) : 0x1000 + 4 * r.nextInt(8);
        }
        return a;
    }

    /** A hypercall number: a defined one mostly, sometimes a neighbour or anything. */
    static long hcallOpcode(SplittableRandom r) {
        return switch (r.nextInt(8)) {
            case 0, 1, 2, 3, 4 -> HCALLS[r.nextInt(HCALLS.length)];
            case 5 -> 4L * r.nextInt(0x120); // every opcode of the PAPR range
            case 6 -> 0xf000 + 4L * r.nextInt(8);
            default -> r.nextLong();
        };
    }
}
