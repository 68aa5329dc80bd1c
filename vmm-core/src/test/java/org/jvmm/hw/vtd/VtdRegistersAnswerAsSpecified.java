package org.jvmm.hw.vtd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.hw.vtd.VtdRegs.*;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The register block (reference C-1, C-2, C-15, C-22, C-23; offsets of QEMU's
 * intel_iommu_internal.h): exact values of VER, CAP, ECAP; GCMD's one-shot and enable bits
 * reflected in GSTS; 64-bit registers read and written in 32-bit halves; write-1-to-clear status.
 */
class VtdRegistersAnswerAsSpecified {
    private final VtdGuest g = new VtdGuest();

    @AfterEach
    void close() {
        g.close();
    }

    @Test
    @DisplayName("VER is 3.0; CAP: ND 6, SAGAW 4-level, MGAW 47, FRO 0x22, NFR 0, PSI, MAMV 9, FS1GP; ECAP: QI, DT, IRO 0x20, PRS, PSS 19, PASID, SMTS, FSTS")
    void identificationRegisters() {
        assertEquals(0x30, g.reg(VER, 4));
        assertEquals(0x0109_0080_222f_0406L, g.reg(CAP, 8));
        assertEquals(0x222f_0406L, g.reg(CAP, 4));
        assertEquals(0x0109_0080L, g.reg(CAP + 4, 4));
        assertEquals(0x0000_8998_2000_2006L, g.reg(ECAP, 8));
        assertEquals(0x8998L, g.reg(ECAP + 4, 4));
    }

    @Test
    @DisplayName("GCMD.SRTP latches RTADDR and sets GSTS.RTPS; QIE sets QIES and zeroes IQH; TE sets TES; clearing TE clears TES")
    void globalCommandAndStatus() {
        assertEquals(0, g.reg(GSTS, 4));
        g.reg(RTADDR, 8, 0x10000L | RTADDR_SMT | 0x3ff);
        assertEquals(0x10400L, g.reg(RTADDR, 8), "bits 9:0 other than SMT read as zero");
        g.gcmd(GCMD_SRTP);
        assertEquals(0x4000_0000L, g.reg(GSTS, 4));
        g.gcmd(GCMD_QIE);
        assertEquals(0x0400_0000L, g.reg(GSTS, 4) & GSTS_QIES);
        g.gcmd(GCMD_TE);
        assertEquals(0xc400_0000L, g.reg(GSTS, 4));
        g.reg(GCMD, 4, GCMD_QIE);
        assertEquals(0x4400_0000L, g.reg(GSTS, 4));
    }

    @Test
    @DisplayName("a 64-bit register written as two 32-bit halves holds both; IQA keeps base, DW and QS only")
    void halvesOfSixtyFourBitRegisters() {
        g.reg(IQA, 4, 0x0002_0805L);
        g.reg(IQA + 4, 4, 0x1L);
        assertEquals(0x1_0002_0805L, g.reg(IQA, 8));
        g.reg(IQA, 8, 0x2_0000_0ff8L);
        assertEquals(0x2_0000_0800L, g.reg(IQA, 8), "bits 10:3 are reserved");
        g.reg(PQA, 8, 0x21003L);
        assertEquals(0x21003L, g.reg(PQA, 8));
    }

    @Test
    @DisplayName("event registers read back; FECTL, IECTL and PECTL start masked (IM, bit 31); an unknown offset reads 0 and drops writes")
    void eventRegistersAndUnknownOffsets() {
        assertEquals(0x8000_0000L, g.reg(FECTL, 4));
        assertEquals(0x8000_0000L, g.reg(IECTL, 4));
        assertEquals(0x8000_0000L, g.reg(PECTL, 4));
        g.reg(FEDATA, 4, 0x41);
        g.reg(FEADDR, 4, 0xfee0_0003L);
        assertEquals(0x41, g.reg(FEDATA, 4));
        assertEquals(0xfee0_0000L, g.reg(FEADDR, 4), "bits 1:0 are reserved");
        g.reg(0x300, 4, 0x1234);
        assertEquals(0, g.reg(0x300, 4));
        assertEquals(0, g.msis.size());
    }
}
