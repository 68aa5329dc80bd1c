package org.jvmm.kvm.soft.ppc;

/**
 * Pure fixed-point helpers shared by the interpreter and the code {@link BlockCompiler} generates
 * (the generated classes call them; C2 inlines them). CR fields are 4-bit LT GT EQ SO values.
 */
final class Alu {
    private Alu() {
    }

    static long rotl32(long x, int n) {
        long w = x & 0xffffffffL;
        return Long.rotateLeft(w | (w << 32), n);
    }

    /** CR with field 0 set from the signed value v and SO. */
    static int cr0(int cr, long v, int so) {
        int f = v < 0 ? 8 : v > 0 ? 4 : 2;
        return (cr & 0x0fffffff) | (f << 28) | (so << 28);
    }

    static int compareSigned(int cr, int bf, long a, long b, int so) {
        int sh = 28 - 4 * bf;
        int f = (a < b ? 8 : a > b ? 4 : 2) | so;
        return (cr & ~(0xf << sh)) | (f << sh);
    }

    static int compareUnsigned(int cr, int bf, long a, long b, int so) {
        int sh = 28 - 4 * bf;
        int c = Long.compareUnsigned(a, b);
        int f = (c < 0 ? 8 : c > 0 ? 4 : 2) | so;
        return (cr & ~(0xf << sh)) | (f << sh);
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

    static long slw(long s, long rb) {
        long n = rb & 63;
        return n > 31 ? 0 : (s << n) & 0xffffffffL;
    }

    static long srw(long s, long rb) {
        long n = rb & 63;
        return n > 31 ? 0 : (s & 0xffffffffL) >>> n;
    }

    static long sld(long s, long rb) {
        long n = rb & 127;
        return n > 63 ? 0 : s << n;
    }

    static long srd(long s, long rb) {
        long n = rb & 127;
        return n > 63 ? 0 : s >>> n;
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

    static long mulhw(long a, long c) {
        return ((long) (int) a * (int) c) >>> 32;
    }

    static long mulhwu(long a, long c) {
        return ((a & 0xffffffffL) * (c & 0xffffffffL)) >>> 32;
    }

    static long mullw(long a, long c) {
        return (long) (int) a * (int) c;
    }

    static int carry(long a, long b, long v) {
        return (int) ((((a & b) | ((a | b) & ~v))) >>> 63);
    }

    static int carry32(long a, long b, long v) {
        return (int) ((((a & b) | ((a | b) & ~v))) >>> 31) & 1;
    }

    /** CR logical op as a truth table: result bit = (table >> (2*a + b)) & 1. */
    static int crLogic(int cr, int bt, int ba, int bb, int table) {
        int a = (cr >>> (31 - ba)) & 1;
        int c = (cr >>> (31 - bb)) & 1;
        int bit = (table >>> (2 * a + c)) & 1;
        int m = 1 << (31 - bt);
        return bit != 0 ? cr | m : cr & ~m;
    }

    static int mcrf(int cr, int bf, int bfa) {
        int f = (cr >>> (28 - 4 * bfa)) & 0xf;
        int sh = 28 - 4 * bf;
        return (cr & ~(0xf << sh)) | (f << sh);
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
