package org.jvmm.kvm.soft.ppc;

/**
 * Pure fixed-point helpers for the rarer operations (register-count algebraic shifts, divisions,
 * multiply-add high) that the code {@link BlockCompiler} generates calls, and the interpreter
 * uses for multiply-add high; the common operations are emitted inline.
 */
final class Alu {
    private Alu() {
    }

    static long sraw(long x, int n) {
        int s = (int) x;
        return n < 32 ? s >> n : s >> 31;
    }

    /** CA of sraw/srawi: a negative source with one bits shifted out. */
    static int srawCarry(long x, int n) {
        int s = (int) x;
        if (s >= 0) {
            return 0;
        }
        return n >= 32 || (n > 0 && (s & ((1 << n) - 1)) != 0) ? 1 : 0;
    }

    static long srad(long s, int n) {
        return n < 64 ? s >> n : s >> 63;
    }

    static int sradCarry(long s, int n) {
        if (s >= 0) {
            return 0;
        }
        return n >= 64 || (n > 0 && (s & ((1L << n) - 1)) != 0) ? 1 : 0;
    }

    // Divisions: an invalid division (by zero, most-negative by -1) divides by 1, as QEMU does.

    static boolean divwInvalid(long a, long c) {
        return (int) c == 0 || ((int) a == Integer.MIN_VALUE && (int) c == -1);
    }

    static long divw(long a, long c) {
        return ((int) a / (divwInvalid(a, c) ? 1 : (int) c)) & 0xffffffffL;
    }

    static long divwu(long a, long c) {
        return Integer.divideUnsigned((int) a, (int) c == 0 ? 1 : (int) c) & 0xffffffffL;
    }

    static boolean divdInvalid(long a, long c) {
        return c == 0 || (a == Long.MIN_VALUE && c == -1);
    }

    static long divd(long a, long c) {
        return a / (divdInvalid(a, c) ? 1 : c);
    }

    static long divdu(long a, long c) {
        return Long.divideUnsigned(a, c == 0 ? 1 : c);
    }

    /** maddhd: the high doubleword of the signed 128-bit RA*RB + RC. */
    static long maddhd(long a, long b, long c) {
        long lo = a * b;
        long sum = lo + c;
        long carry = Long.compareUnsigned(sum, lo) < 0 ? 1 : 0;
        return Math.multiplyHigh(a, b) + (c >> 63) + carry;
    }

    /** maddhdu: the high doubleword of the unsigned 128-bit RA*RB + RC. */
    static long maddhdu(long a, long b, long c) {
        long lo = a * b;
        long sum = lo + c;
        long carry = Long.compareUnsigned(sum, lo) < 0 ? 1 : 0;
        return Math.unsignedMultiplyHigh(a, b) + carry;
    }
}
