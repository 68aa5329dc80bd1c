package org.jvmm.kvm.soft.xics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jvmm.kvm.spapr.Papr;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The ICS/ICP state machine with exact XIRR values and hcall return codes, as QEMU's
 * hw/intc/xics.c and xics_spapr.c answer (XIRR = CPPR &lt;&lt; 24 | XISR; IPI = XISR 2).
 */
class XicsFollowsQemuPresentationRules {
    private static final int MSI_A = 0x1300;
    private static final int MSI_B = 0x1301;
    private static final int LSI = 0x1200;

    private SoftXics xics;
    private final List<Boolean> line = new ArrayList<>();

    @BeforeEach
    void setUp() {
        xics = new SoftXics(4);
        xics.addServer(0, line::add);
        xics.addServer(1, a -> { });
    }

    private long hcall(long nr, long... args) {
        long[] regs = new long[10];
        regs[0] = nr;
        System.arraycopy(args, 0, regs, 1, args.length);
        long status = xics.hcall(0, regs, 1234);
        last = regs;
        return status;
    }

    private long[] last;

    private long xirr() {
        assertEquals(Papr.H_SUCCESS, hcall(SoftXics.H_XIRR));
        return last[1];
    }

    private void msi(int irq, int priority) {
        assertTrue(xics.claim(irq, false));
        xics.setXive(irq, 0, priority, priority);
    }

    @Test
    @DisplayName("an ICP starts with CPPR 0 (everything held), MFRR 0xff and the line low")
    void resetState() {
        assertEquals(0, xics.xirr(0));
        assertEquals(0xff, xics.mfrr(0));
        assertFalse(xics.output(0));
    }

    @Test
    void anMsiIsHeldByCppr0AndPresentedWhenH_CpprOpensTheIcp() {
        msi(MSI_A, 5);
        xics.setIrq(MSI_A, true);
        assertEquals(0, xics.xirr(0), "priority 5 does not beat CPPR 0: rejected");
        assertEquals(Papr.H_SUCCESS, hcall(SoftXics.H_CPPR, 0xff));
        assertEquals(0xff00_1300, xics.xirr(0), "the rejected MSI is resent when CPPR rises with XISR empty");
        assertEquals(List.of(true), line);
    }

    @Test
    void acceptReturnsXirrRaisesCpprToThePresentedPriorityAndLowersTheLine() {
        hcall(SoftXics.H_CPPR, 0xff);
        msi(MSI_A, 5);
        xics.setIrq(MSI_A, true);
        assertEquals(0xff00_1300L, xirr());
        assertEquals(0x0500_0000, xics.xirr(0));
        assertEquals(List.of(true, false), line);
        assertEquals(Papr.H_SUCCESS, hcall(SoftXics.H_EOI, 0xff00_1300L));
        assertEquals(0xff00_0000, xics.xirr(0), "EOI restores CPPR from the XIRR it is given");
    }

    @Test
    void h_XirrWithNothingPendingReturnsCpprAndSetsItTo0xff() {
        hcall(SoftXics.H_CPPR, 0x10);
        assertEquals(0x1000_0000L, xirr());
        assertEquals(0xff00_0000, xics.xirr(0), "icp_accept: CPPR becomes the (empty) pending priority 0xff");
    }

    @Test
    void h_XirrXAlsoReturnsTheTimebase() {
        hcall(SoftXics.H_CPPR, 0xff);
        assertEquals(Papr.H_SUCCESS, hcall(SoftXics.H_XIRR_X));
        assertEquals(0xff00_0000L, last[1]);
        assertEquals(1234, last[2]);
    }

    @Test
    void eoiWithLowerPriorityPendingRepresentsIt() {
        hcall(SoftXics.H_CPPR, 0xff);
        msi(MSI_A, 5);
        msi(MSI_B, 7);
        xics.setIrq(MSI_A, true);
        assertEquals(0xff00_1300L, xirr());
        xics.setIrq(MSI_B, true);
        assertEquals(0x0500_0000, xics.xirr(0), "priority 7 does not beat CPPR 5: rejected, remembered");
        hcall(SoftXics.H_EOI, 0xff00_1300L);
        assertEquals(0xff00_1301, xics.xirr(0), "after the EOI the rejected MSI is presented");
        assertTrue(xics.output(0));
    }

    @Test
    void aMoreFavouredSourceDisplacesThePresentedOneWhichComesBackAfterItsEoi() {
        hcall(SoftXics.H_CPPR, 0xff);
        msi(MSI_A, 7);
        msi(MSI_B, 3);
        xics.setIrq(MSI_A, true);
        assertEquals(0xff00_1300, xics.xirr(0));
        xics.setIrq(MSI_B, true);
        assertEquals(0xff00_1301, xics.xirr(0));
        assertEquals(0xff00_1301L, xirr());
        hcall(SoftXics.H_EOI, 0xff00_1301L);
        assertEquals(0xff00_1300, xics.xirr(0));
    }

    @Test
    void aMaskedMsiIsHeldAndPresentedWhenSetXiveUnmasksIt() {
        hcall(SoftXics.H_CPPR, 0xff);
        assertTrue(xics.claim(MSI_A, false));
        xics.setIrq(MSI_A, true);
        assertEquals(0xff00_0000, xics.xirr(0));
        assertTrue(xics.pending(MSI_A));
        xics.setXive(MSI_A, 0, 4, 4);
        assertEquals(0xff00_1300, xics.xirr(0));
        assertFalse(xics.pending(MSI_A));
    }

    @Test
    void anIpiWhoseMfrrBeatsCpprIsXisr2AndH_IpiToAMissingServerIsH_Parameter() {
        hcall(SoftXics.H_CPPR, 0xff);
        assertEquals(Papr.H_SUCCESS, hcall(SoftXics.H_IPI, 0, 6));
        assertEquals(0xff00_0002, xics.xirr(0));
        assertEquals(Papr.H_PARAMETER, hcall(SoftXics.H_IPI, 3, 6), "server 3 has no ICP");
        assertEquals(Papr.H_PARAMETER, hcall(SoftXics.H_IPI, -1L, 6));
        assertEquals(0xff00_0002L, xirr());
        assertEquals(0x0600_0000, xics.xirr(0));
        hcall(SoftXics.H_IPI, 0, 0xff);
        hcall(SoftXics.H_EOI, 0xff00_0002L);
        assertEquals(0xff00_0000, xics.xirr(0), "MFRR 0xff: no new IPI after the EOI");
    }

    @Test
    void anIpiStillRequestedAfterItsEoiIsPresentedAgain() {
        hcall(SoftXics.H_CPPR, 0xff);
        hcall(SoftXics.H_IPI, 0, 6);
        xirr();
        hcall(SoftXics.H_EOI, 0xff00_0002L);
        assertEquals(0xff00_0002, xics.xirr(0), "MFRR 6 still beats CPPR 0xff");
    }

    @Test
    void h_IpollReadsXirrAndMfrrWithoutAccepting() {
        hcall(SoftXics.H_CPPR, 0xff);
        hcall(SoftXics.H_IPI, 0, 6);
        assertEquals(Papr.H_SUCCESS, hcall(SoftXics.H_IPOLL, 0));
        assertEquals(0xff00_0002L, last[1]);
        assertEquals(6, last[2]);
        assertEquals(0xff00_0002, xics.xirr(0));
        assertTrue(xics.output(0));
        assertEquals(Papr.H_PARAMETER, hcall(SoftXics.H_IPOLL, 2));
    }

    @Test
    void h_CpprTruncatesItsArgumentTo8Bits() {
        hcall(SoftXics.H_CPPR, 0x1_23L);
        assertEquals(0x2300_0000, xics.xirr(0));
    }

    @Test
    void loweringCpprBelowAPresentedLsiRejectsItAndRaisingItPresentsTheStillAssertedLsiAgain() {
        hcall(SoftXics.H_CPPR, 0xff);
        assertTrue(xics.claim(LSI, true));
        xics.setXive(LSI, 0, 5, 5);
        xics.setIrq(LSI, true);
        assertEquals(0xff00_1200, xics.xirr(0));
        hcall(SoftXics.H_CPPR, 2);
        assertEquals(0x0200_0000, xics.xirr(0));
        assertFalse(xics.output(0));
        hcall(SoftXics.H_CPPR, 0xff);
        assertEquals(0xff00_1200, xics.xirr(0));
    }

    @Test
    void anLsiStillAssertedAfterEoiIsPresentedAgainAndADeassertedOneIsNot() {
        hcall(SoftXics.H_CPPR, 0xff);
        assertTrue(xics.claim(LSI, true));
        xics.setXive(LSI, 0, 5, 5);
        xics.setIrq(LSI, true);
        assertEquals(0xff00_1200L, xirr());
        hcall(SoftXics.H_EOI, 0xff00_1200L);
        assertEquals(0xff00_1200, xics.xirr(0));
        assertEquals(0xff00_1200L, xirr());
        xics.setIrq(LSI, false);
        hcall(SoftXics.H_EOI, 0xff00_1200L);
        assertEquals(0xff00_0000, xics.xirr(0));
    }

    @Test
    void aSourceAimedAtAnotherServerIsPresentedThere() {
        hcall(SoftXics.H_CPPR, 0xff);
        msi(MSI_A, 5);
        xics.setXive(MSI_A, 1, 5, 5);
        xics.setIrq(MSI_A, true);
        assertEquals(0xff00_0000, xics.xirr(0));
        assertEquals(0, xics.xirr(1), "server 1 still has CPPR 0: the MSI waits rejected");
        assertTrue(xics.pending(MSI_A));
    }

    @Test
    void claimingTwiceIsRefusedAndFreeingZeroesTheSource() {
        assertTrue(xics.claim(MSI_A, false));
        assertFalse(xics.claim(MSI_A, true));
        xics.setXive(MSI_A, 0, 5, 5);
        xics.free(MSI_A);
        assertEquals(new SoftXics.Xive(0, 0), xics.getXive(MSI_A), "QEMU's spapr_irq_free zeroes the entry");
        assertTrue(xics.claim(MSI_A, true));
        assertTrue(xics.claimedAs(MSI_A, true));
    }
}
