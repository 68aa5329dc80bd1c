package org.jvmm.kvm.soft.ppc;

/**
 * Decodes one 32-bit instruction word into a {@link DecodedInsn} (Power ISA v3.0 Book I/III
 * encodings: opcode in bits 0-5, extended opcode in bits 21-30 for X/XO forms). Encodings outside
 * the implemented subset, and invalid forms (an update load with RA=0 or RA=RT, an update store
 * with RA=0), decode to {@link Op#ILLEGAL}, which the CPU turns into a program interrupt.
 * Stateless and thread-safe.
 */
final class PpcDecoder {
    private PpcDecoder() {
    }

    /** Index of the always-zero register slot that stands for "(RA|0)" with RA=0. */
    static final int ZERO = 32;

    static DecodedInsn decode(int w, long pc) {
        int opcd = w >>> 26;
        int rt = (w >>> 21) & 31;
        int ra = (w >>> 16) & 31;
        int rb = (w >>> 11) & 31;
        boolean rc = (w & 1) != 0;
        long simm = (short) w;
        long uimm = w & 0xffff;
        int ra0 = ra == 0 ? ZERO : ra;
        switch (opcd) {
            case 2: return d(Op.TDI, rt, ra, 0, simm, 0, false, w, pc);
            case 4:
                // VA-form integer multiply-add (v3.0); the rest of opcode 4 is the vector unit.
                return switch (w & 0x3f) {
                    case 48 -> d(Op.MADDHD, rt, ra, rb, 0, (w >>> 6) & 31, false, w, pc);
                    case 49 -> d(Op.MADDHDU, rt, ra, rb, 0, (w >>> 6) & 31, false, w, pc);
                    case 51 -> d(Op.MADDLD, rt, ra, rb, 0, (w >>> 6) & 31, false, w, pc);
                    default -> illegal(w, pc);
                };
            case 3: return d(Op.TWI, rt, ra, 0, simm, 0, false, w, pc);
            case 7: return d(Op.MULLI, rt, ra, 0, simm, 0, false, w, pc);
            case 8: return d(Op.SUBFIC, rt, ra, 0, simm, 0, false, w, pc);
            case 10: return d(Op.CMPLI, rt, ra, 0, uimm, 0, false, w, pc);
            case 11: return d(Op.CMPI, rt, ra, 0, simm, 0, false, w, pc);
            case 12: return d(Op.ADDIC, rt, ra, 0, simm, 0, false, w, pc);
            case 13: return d(Op.ADDIC, rt, ra, 0, simm, 0, true, w, pc);
            case 14: return d(Op.ADDI, rt, ra0, 0, simm, 0, false, w, pc);
            case 15: return d(Op.ADDI, rt, ra0, 0, simm << 16, 0, false, w, pc);
            case 16: {
                long target = ((w & 2) != 0 ? 0 : pc) + (short) (w & 0xfffc);
                return d(Op.BC, rt, ra, 0, target, w & 1, false, w, pc);
            }
            case 17:
                if ((w & 2) == 0) {
                    return illegal(w, pc);
                }
                return d(Op.SC, 0, 0, 0, 0, (w >>> 5) & 0x7f, false, w, pc);
            case 18: {
                long li = ((w & 0x03fffffc) << 6) >> 6;
                long target = ((w & 2) != 0 ? 0 : pc) + li;
                return d(Op.B, 0, 0, 0, target, w & 1, false, w, pc);
            }
            case 19: return decode19(w, pc, rt, ra, rb);
            case 20: return d(Op.ROTL32_INSERT, rt, ra, 0, mask32(w), rb, rc, w, pc);
            case 21: return d(Op.ROTL32_MASK, rt, ra, 0, mask32(w), rb, rc, w, pc);
            case 23: return d(Op.ROTL32_REG_MASK, rt, ra, rb, mask32(w), 0, rc, w, pc);
            case 24: return d(Op.ORI, rt, ra, 0, uimm, 0, false, w, pc);
            case 25: return d(Op.ORI, rt, ra, 0, uimm << 16, 0, false, w, pc);
            case 26: return d(Op.XORI, rt, ra, 0, uimm, 0, false, w, pc);
            case 27: return d(Op.XORI, rt, ra, 0, uimm << 16, 0, false, w, pc);
            case 28: return d(Op.ANDI, rt, ra, 0, uimm, 0, true, w, pc);
            case 29: return d(Op.ANDI, rt, ra, 0, uimm << 16, 0, true, w, pc);
            case 30: return decode30(w, pc, rt, ra, rb, rc);
            case 31: return decode31(w, pc, rt, ra, rb, rc);
            case 32: return d(Op.LWZ, rt, ra0, ZERO, simm, 0, false, w, pc);
            case 33: return loadUpdate(Op.LWZU, rt, ra, simm, w, pc);
            case 34: return d(Op.LBZ, rt, ra0, ZERO, simm, 0, false, w, pc);
            case 35: return loadUpdate(Op.LBZU, rt, ra, simm, w, pc);
            case 36: return d(Op.STW, rt, ra0, ZERO, simm, 0, false, w, pc);
            case 37: return storeUpdate(Op.STWU, rt, ra, simm, w, pc);
            case 38: return d(Op.STB, rt, ra0, ZERO, simm, 0, false, w, pc);
            case 39: return storeUpdate(Op.STBU, rt, ra, simm, w, pc);
            case 40: return d(Op.LHZ, rt, ra0, ZERO, simm, 0, false, w, pc);
            case 41: return loadUpdate(Op.LHZU, rt, ra, simm, w, pc);
            case 42: return d(Op.LHA, rt, ra0, ZERO, simm, 0, false, w, pc);
            case 43: return loadUpdate(Op.LHAU, rt, ra, simm, w, pc);
            case 44: return d(Op.STH, rt, ra0, ZERO, simm, 0, false, w, pc);
            case 45: return storeUpdate(Op.STHU, rt, ra, simm, w, pc);
            case 46:
                // lmw: RA in the range of registers loaded is an invalid form.
                if (ra != 0 && ra >= rt) {
                    return illegal(w, pc);
                }
                return d(Op.LMW, rt, ra0, ZERO, simm, 0, false, w, pc);
            case 47: return d(Op.STMW, rt, ra0, ZERO, simm, 0, false, w, pc);
            case 58: {
                long ds = (short) (w & 0xfffc);
                return switch (w & 3) {
                    case 0 -> d(Op.LD, rt, ra0, ZERO, ds, 0, false, w, pc);
                    case 1 -> loadUpdate(Op.LDU, rt, ra, ds, w, pc);
                    case 2 -> d(Op.LWA, rt, ra0, ZERO, ds, 0, false, w, pc);
                    default -> illegal(w, pc);
                };
            }
            case 62: {
                long ds = (short) (w & 0xfffc);
                return switch (w & 3) {
                    case 0 -> d(Op.STD, rt, ra0, ZERO, ds, 0, false, w, pc);
                    case 1 -> storeUpdate(Op.STDU, rt, ra, ds, w, pc);
                    default -> illegal(w, pc);
                };
            }
            default: return illegal(w, pc);
        }
    }

    private static DecodedInsn decode19(int w, long pc, int rt, int ra, int rb) {
        if (((w >>> 1) & 0x1f) == 2) {
            // addpcis (DX-form, v3.0): RT = next instruction address + (d << 16), a constant here.
            int d = (short) ((((w >>> 6) & 0x3ff) << 6) | (((w >>> 16) & 0x1f) << 1) | (w & 1));
            return d(Op.ADDI, rt, ZERO, 0, pc + 4 + ((long) d << 16), 0, false, w, pc);
        }
        int xo = (w >>> 1) & 0x3ff;
        switch (xo) {
            case 0: return d(Op.MCRF, rt >>> 2, ra >>> 2, 0, 0, 0, false, w, pc);
            case 16: return d(Op.BCLR, rt, ra, 0, 0, w & 1, false, w, pc);
            case 18: return d(Op.RFID, 0, 0, 0, 0, 0, false, w, pc);
            case 150: return d(Op.ISYNC, 0, 0, 0, 0, 0, false, w, pc);
            case 370: return d(Op.WAIT, 0, 0, 0, 0, 1, false, w, pc); // stop (privileged)
            case 528:
                // bcctr with BO[2]=0 (decrement CTR) is an invalid form.
                if ((rt & 4) == 0) {
                    return illegal(w, pc);
                }
                return d(Op.BCCTR, rt, ra, 0, 0, w & 1, false, w, pc);
            case 33: return crLogic(0b0001, w, pc, rt, ra, rb);  // crnor: ~(a|b)
            case 129: return crLogic(0b0100, w, pc, rt, ra, rb); // crandc: a & ~b
            case 193: return crLogic(0b0110, w, pc, rt, ra, rb); // crxor
            case 225: return crLogic(0b0111, w, pc, rt, ra, rb); // crnand
            case 257: return crLogic(0b1000, w, pc, rt, ra, rb); // crand
            case 289: return crLogic(0b1001, w, pc, rt, ra, rb); // creqv
            case 417: return crLogic(0b1101, w, pc, rt, ra, rb); // crorc: a | ~b
            case 449: return crLogic(0b1110, w, pc, rt, ra, rb); // cror
            default: return illegal(w, pc);
        }
    }

    /** CR logical op as a truth table: result bit = (table >> (2*a + b)) & 1. */
    private static DecodedInsn crLogic(int table, int w, long pc, int bt, int ba, int bb) {
        return d(Op.CRLOGIC, bt, ba, bb, 0, table, false, w, pc);
    }

    private static DecodedInsn decode30(int w, long pc, int rs, int ra, int rb, boolean rc) {
        int sh = rb | ((w & 2) << 4);
        int mbe = (w >>> 5) & 0x3f;
        int mb = ((mbe & 1) << 5) | (mbe >>> 1);
        switch ((w >>> 2) & 7) {
            case 0: return d(Op.ROTL64_MASK, rs, ra, 0, mask64(mb, 63), sh, rc, w, pc);      // rldicl
            case 1: return d(Op.ROTL64_MASK, rs, ra, 0, mask64(0, mb), sh, rc, w, pc);       // rldicr (me)
            case 2: return d(Op.ROTL64_MASK, rs, ra, 0, mask64(mb, 63 - sh), sh, rc, w, pc); // rldic
            case 3: return d(Op.ROTL64_INSERT, rs, ra, 0, mask64(mb, 63 - sh), sh, rc, w, pc); // rldimi
            case 4:
                switch ((w >>> 1) & 0xf) {
                    case 8: return d(Op.ROTL64_REG_MASK, rs, ra, rb, mask64(mb, 63), 0, rc, w, pc); // rldcl
                    case 9: return d(Op.ROTL64_REG_MASK, rs, ra, rb, mask64(0, mb), 0, rc, w, pc);  // rldcr
                    default: return illegal(w, pc);
                }
            default: return illegal(w, pc);
        }
    }

    private static DecodedInsn decode31(int w, long pc, int rt, int ra, int rb, boolean rc) {
        int ra0 = ra == 0 ? ZERO : ra;
        if (((w >>> 1) & 0x1f) == 15) {
            return d(Op.ISEL, rt, ra0, rb, 0, (w >>> 6) & 0x1f, false, w, pc);
        }
        int xo = (w >>> 1) & 0x3ff;
        // XO-form arithmetic: 9-bit opcode with OE in bit 21.
        boolean oe = (w & 0x400) != 0;
        int op9 = switch (xo & 0x1ff) {
            case 8 -> Op.SUBFC;
            case 10 -> Op.ADDC;
            case 40 -> Op.SUBF;
            case 104 -> Op.NEG;
            case 136 -> Op.SUBFE;
            case 138 -> Op.ADDE;
            case 200 -> Op.SUBFZE;
            case 202 -> Op.ADDZE;
            case 232 -> Op.SUBFME;
            case 233 -> Op.MULLD;
            case 234 -> Op.ADDME;
            case 235 -> Op.MULLW;
            case 266 -> Op.ADD;
            case 457 -> Op.DIVDU;
            case 459 -> Op.DIVWU;
            case 489 -> Op.DIVD;
            case 491 -> Op.DIVW;
            default -> -1;
        };
        if (op9 >= 0) {
            return new DecodedInsn(op9, rt, ra, rb, 0, 0, rc, oe, pc, w);
        }
        switch (xo) {
            // The high-part multiplies have no OE form (bit 21 is reserved).
            case 9: return d(Op.MULHDU, rt, ra, rb, 0, 0, rc, w, pc);
            case 11: return d(Op.MULHWU, rt, ra, rb, 0, 0, rc, w, pc);
            case 73: return d(Op.MULHD, rt, ra, rb, 0, 0, rc, w, pc);
            case 75: return d(Op.MULHW, rt, ra, rb, 0, 0, rc, w, pc);
            case 265: return d(Op.MODUD, rt, ra, rb, 0, 0, false, w, pc);
            case 267: return d(Op.MODUW, rt, ra, rb, 0, 0, false, w, pc);
            case 777: return d(Op.MODSD, rt, ra, rb, 0, 0, false, w, pc);
            case 779: return d(Op.MODSW, rt, ra, rb, 0, 0, false, w, pc);
            case 0: return d(Op.CMP, rt >>> 2, ra, rb, 0, rt & 1, false, w, pc);
            case 32: return d(Op.CMPL, rt >>> 2, ra, rb, 0, rt & 1, false, w, pc);
            case 4: return d(Op.TW, rt, ra, rb, 0, 0, false, w, pc);
            case 68: return d(Op.TD, rt, ra, rb, 0, 0, false, w, pc);
            case 19: {
                int fxm = (w >>> 12) & 0xff;
                boolean one = (w & 0x00100000) != 0 && Integer.bitCount(fxm) == 1;
                return d(Op.MFCR, rt, 0, 0, 0, one ? fieldMask(fxm) : -1, false, w, pc);
            }
            case 144: {
                int fxm = (w >>> 12) & 0xff;
                return d(Op.MTCRF, rt, 0, 0, 0, fieldMask(fxm), false, w, pc);
            }
            case 576: return d(Op.MCRXRX, rt >>> 2, 0, 0, 0, 0, false, w, pc);
            case 128: return d(Op.SETB, rt, ra >>> 2, 0, 0, 0, false, w, pc);
            case 339:
            case 371: {
                int spr = ra | (rb << 5);
                int op = spr == Spr.LR ? Op.MFLR : spr == Spr.CTR ? Op.MFCTR : Op.MFSPR;
                return d(op, rt, 0, 0, 0, spr, false, w, pc);
            }
            case 467: {
                int spr = ra | (rb << 5);
                int op = spr == Spr.LR ? Op.MTLR : spr == Spr.CTR ? Op.MTCTR : Op.MTSPR;
                return d(op, rt, 0, 0, 0, spr, false, w, pc);
            }
            case 83: return d(Op.MFMSR, rt, 0, 0, 0, 0, false, w, pc);
            case 146: return d(Op.MTMSR, rt, 0, 0, 0, (w >>> 16) & 1, false, w, pc);
            case 178: return d(Op.MTMSRD, rt, 0, 0, 0, (w >>> 16) & 1, false, w, pc);
            case 28: return d(Op.AND, rt, ra, rb, 0, 0, rc, w, pc);
            case 60: return d(Op.ANDC, rt, ra, rb, 0, 0, rc, w, pc);
            case 444: return d(Op.OR, rt, ra, rb, 0, 0, rc, w, pc);
            case 412: return d(Op.ORC, rt, ra, rb, 0, 0, rc, w, pc);
            case 316: return d(Op.XOR, rt, ra, rb, 0, 0, rc, w, pc);
            case 476: return d(Op.NAND, rt, ra, rb, 0, 0, rc, w, pc);
            case 124: return d(Op.NOR, rt, ra, rb, 0, 0, rc, w, pc);
            case 284: return d(Op.EQV, rt, ra, rb, 0, 0, rc, w, pc);
            case 24: return d(Op.SLW, rt, ra, rb, 0, 0, rc, w, pc);
            case 536: return d(Op.SRW, rt, ra, rb, 0, 0, rc, w, pc);
            case 792: return d(Op.SRAW, rt, ra, rb, 0, 0, rc, w, pc);
            case 824: return d(Op.SRAWI, rt, ra, 0, 0, rb, rc, w, pc);
            case 27: return d(Op.SLD, rt, ra, rb, 0, 0, rc, w, pc);
            case 539: return d(Op.SRD, rt, ra, rb, 0, 0, rc, w, pc);
            case 794: return d(Op.SRAD, rt, ra, rb, 0, 0, rc, w, pc);
            case 826:
            case 827: return d(Op.SRADI, rt, ra, 0, 0, rb | ((w & 2) << 4), rc, w, pc);
            case 890:
            case 891: return d(Op.EXTSWSLI, rt, ra, 0, 0, rb | ((w & 2) << 4), rc, w, pc);
            case 26: return d(Op.CNTLZW, rt, ra, 0, 0, 0, rc, w, pc);
            case 58: return d(Op.CNTLZD, rt, ra, 0, 0, 0, rc, w, pc);
            case 538: return d(Op.CNTTZW, rt, ra, 0, 0, 0, rc, w, pc);
            case 570: return d(Op.CNTTZD, rt, ra, 0, 0, 0, rc, w, pc);
            case 122: return d(Op.POPCNTB, rt, ra, 0, 0, 0, false, w, pc);
            case 378: return d(Op.POPCNTW, rt, ra, 0, 0, 0, false, w, pc);
            case 506: return d(Op.POPCNTD, rt, ra, 0, 0, 0, false, w, pc);
            case 954: return d(Op.EXTSB, rt, ra, 0, 0, 0, rc, w, pc);
            case 922: return d(Op.EXTSH, rt, ra, 0, 0, 0, rc, w, pc);
            case 986: return d(Op.EXTSW, rt, ra, 0, 0, 0, rc, w, pc);
            case 508: return d(Op.CMPB, rt, ra, rb, 0, 0, false, w, pc);
            // Storage control and hints: no caches to manage.
            case 598: // sync, lwsync, ptesync
            case 854: // eieio
            case 278: // dcbt
            case 246: // dcbtst
            case 86:  // dcbf
            case 54:  // dcbst
                return d(Op.NOP, 0, 0, 0, 0, 0, false, w, pc);
            case 470: return d(Op.PRIV_NOP, 0, 0, 0, 0, 0, false, w, pc); // dcbi (privileged)
            case 982: return d(Op.ICBI, 0, ra0, rb, 0, 0, false, w, pc);
            case 1014: return d(Op.DCBZ, 0, ra0, rb, 0, 0, false, w, pc);
            case 30: // wait (v3.0 encoding)
            case 62: return d(Op.WAIT, 0, 0, 0, 0, 0, false, w, pc); // wait (v2.06 encoding)
            // Loads, indexed.
            case 87: return d(Op.LBZ, rt, ra0, rb, 0, 0, false, w, pc);
            case 119: return loadUpdateX(Op.LBZU, rt, ra, rb, w, pc);
            case 279: return d(Op.LHZ, rt, ra0, rb, 0, 0, false, w, pc);
            case 311: return loadUpdateX(Op.LHZU, rt, ra, rb, w, pc);
            case 343: return d(Op.LHA, rt, ra0, rb, 0, 0, false, w, pc);
            case 375: return loadUpdateX(Op.LHAU, rt, ra, rb, w, pc);
            case 23: return d(Op.LWZ, rt, ra0, rb, 0, 0, false, w, pc);
            case 55: return loadUpdateX(Op.LWZU, rt, ra, rb, w, pc);
            case 341: return d(Op.LWA, rt, ra0, rb, 0, 0, false, w, pc);
            case 373: return loadUpdateX(Op.LWAU, rt, ra, rb, w, pc);
            case 21: return d(Op.LD, rt, ra0, rb, 0, 0, false, w, pc);
            case 53: return loadUpdateX(Op.LDU, rt, ra, rb, w, pc);
            case 790: return d(Op.LHBRX, rt, ra0, rb, 0, 0, false, w, pc);
            case 534: return d(Op.LWBRX, rt, ra0, rb, 0, 0, false, w, pc);
            case 532: return d(Op.LDBRX, rt, ra0, rb, 0, 0, false, w, pc);
            case 20: return d(Op.LWARX, rt, ra0, rb, 0, 0, false, w, pc);
            case 84: return d(Op.LDARX, rt, ra0, rb, 0, 0, false, w, pc);
            // Stores, indexed.
            case 215: return d(Op.STB, rt, ra0, rb, 0, 0, false, w, pc);
            case 247: return storeUpdateX(Op.STBU, rt, ra, rb, w, pc);
            case 407: return d(Op.STH, rt, ra0, rb, 0, 0, false, w, pc);
            case 439: return storeUpdateX(Op.STHU, rt, ra, rb, w, pc);
            case 151: return d(Op.STW, rt, ra0, rb, 0, 0, false, w, pc);
            case 183: return storeUpdateX(Op.STWU, rt, ra, rb, w, pc);
            case 149: return d(Op.STD, rt, ra0, rb, 0, 0, false, w, pc);
            case 181: return storeUpdateX(Op.STDU, rt, ra, rb, w, pc);
            case 918: return d(Op.STHBRX, rt, ra0, rb, 0, 0, false, w, pc);
            case 662: return d(Op.STWBRX, rt, ra0, rb, 0, 0, false, w, pc);
            case 660: return d(Op.STDBRX, rt, ra0, rb, 0, 0, false, w, pc);
            case 150: return rc ? d(Op.STWCX, rt, ra0, rb, 0, 0, true, w, pc) : illegal(w, pc);
            case 214: return rc ? d(Op.STDCX, rt, ra0, rb, 0, 0, true, w, pc) : illegal(w, pc);
            default: return illegal(w, pc);
        }
    }

    private static DecodedInsn loadUpdate(int op, int rt, int ra, long disp, int w, long pc) {
        if (ra == 0 || ra == rt) {
            return illegal(w, pc);
        }
        return d(op, rt, ra, ZERO, disp, 0, false, w, pc);
    }

    private static DecodedInsn loadUpdateX(int op, int rt, int ra, int rb, int w, long pc) {
        if (ra == 0 || ra == rt) {
            return illegal(w, pc);
        }
        return d(op, rt, ra, rb, 0, 0, false, w, pc);
    }

    private static DecodedInsn storeUpdate(int op, int rs, int ra, long disp, int w, long pc) {
        if (ra == 0) {
            return illegal(w, pc);
        }
        return d(op, rs, ra, ZERO, disp, 0, false, w, pc);
    }

    private static DecodedInsn storeUpdateX(int op, int rs, int ra, int rb, int w, long pc) {
        if (ra == 0) {
            return illegal(w, pc);
        }
        return d(op, rs, ra, rb, 0, 0, false, w, pc);
    }

    private static DecodedInsn illegal(int w, long pc) {
        return d(Op.ILLEGAL, 0, 0, 0, 0, 0, false, w, pc);
    }

    private static DecodedInsn d(int op, int rt, int ra, int rb, long imm, int aux, boolean rc, int w, long pc) {
        return new DecodedInsn(op, rt, ra, rb, imm, aux, rc, false, pc, w);
    }

    /** The CR bits selected by an FXM field mask (bit 7 of FXM is CR field 0). */
    static int fieldMask(int fxm) {
        int m = 0;
        for (int f = 0; f < 8; f++) {
            if ((fxm & (0x80 >>> f)) != 0) {
                m |= 0xF0000000 >>> (4 * f);
            }
        }
        return m;
    }

    /** MASK(mb, me) in IBM bit numbering over 64 bits; wraps when mb > me. */
    static long mask64(int mb, int me) {
        long hi = -1L >>> mb;
        long lo = -1L << (63 - me);
        return mb <= me ? hi & lo : hi | lo;
    }

    /** The M-form mask MASK(MB+32, ME+32) of rlwinm/rlwnm/rlwimi. */
    private static long mask32(int w) {
        int mb = (w >>> 6) & 31;
        int me = (w >>> 1) & 31;
        return mask64(mb + 32, me + 32);
    }
}
