package org.jvmm.machine.pseries;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.kvm.spapr.Papr.H_SUCCESS;
import static org.jvmm.kvm.spapr.Papr.KVMPPC_H_RTAS;

import java.util.concurrent.CompletableFuture;
import org.jvmm.address.GuestAddress;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.host.kernel.PowerHost;
import org.jvmm.hw.spapr.SpaprPhb;
import org.jvmm.kvm.soft.xics.SoftXics;
import org.jvmm.kvm.spapr.SpaprXics;
import org.jvmm.papr.MsiRtasCalls;
import org.jvmm.pci.PciRegs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The XICS RTAS calls and ibm,change-msi / ibm,query-interrupt-source-number on a pseries machine
 * with edu (MSI, one vector; INTA) in slot 1, with the status codes QEMU 7.2 stores
 * (hw/intc/xics_spapr.c, hw/ppc/spapr_pci.c): 0 success, -1 hardware error, -3 parameter error.
 * Then the device's interrupts travel: edu -> vfio-pci -> eventfd -> irqfd -> XICS -> XIRR.
 */
class XicsAndMsiThroughRtas {
    private static final long ARGS = 0x8000;
    private static final long HI = SpaprPhb.BUID_BASE >>> 32;
    private static final long LO = SpaprPhb.BUID_BASE & 0xffff_ffffL;
    /** The config address of slot 1, function 0 on the root bus. */
    private static final long CFG = 1 << 11;
    private static final int DEVFN = 1 << 3;

    private final PowerHost host = PowerHost.create();
    private final PseriesMachine m = PseriesMachine.create(host.platform(), 64L << 20, true);

    @AfterEach
    void tearDown() {
        m.close();
    }

    private long[] rtas(String name, int nret, long... args) {
        var mem = m.systemMemory();
        mem.write(new GuestAddress(ARGS), 4, m.rtas().token(name));
        mem.write(new GuestAddress(ARGS + 4), 4, args.length);
        mem.write(new GuestAddress(ARGS + 8), 4, nret);
        for (int i = 0; i < args.length; i++) {
            mem.write(new GuestAddress(ARGS + 12 + 4L * i), 4, args[i]);
        }
        for (int i = 0; i < nret; i++) {
            mem.write(new GuestAddress(ARGS + 12 + 4L * args.length + 4L * i), 4, 0); // untouched rets read 0
        }
        CompletableFuture<long[]> f = m.cpu().hcall(KVMPPC_H_RTAS, ARGS);
        m.runUntilIdle();
        assertEquals(H_SUCCESS, f.join()[0]);
        long[] rets = new long[nret];
        for (int i = 0; i < nret; i++) {
            rets[i] = (int) mem.read(new GuestAddress(ARGS + 12 + 4L * args.length + 4L * i), 4);
        }
        return rets;
    }

    private long[] hcall(long nr, long... args) {
        CompletableFuture<long[]> f = m.cpu().hcall(nr, args);
        m.runUntilIdle();
        return f.join();
    }

    private void store(long address, long value) {
        m.cpu().store(new GuestAddress(address), 4, value);
        m.runUntilIdle();
    }

    private SpaprXics xics() {
        return m.interrupts().xics();
    }

    private int xirr() {
        return m.vm().xics().xirr(0);
    }

    @Test
    @DisplayName("ibm,set-xive / get-xive / int-off / int-on keep server, priority and saved priority as QEMU")
    void xiveCalls() {
        assertArrayEquals(new long[] {0}, rtas("ibm,set-xive", 1, 0x1300, 0, 5));
        assertArrayEquals(new long[] {0, 0, 5}, rtas("ibm,get-xive", 3, 0x1300));
        assertArrayEquals(new long[] {0}, rtas("ibm,int-off", 1, 0x1300));
        assertArrayEquals(new long[] {0, 0, 0xff}, rtas("ibm,get-xive", 3, 0x1300));
        assertArrayEquals(new long[] {0}, rtas("ibm,int-on", 1, 0x1300));
        assertArrayEquals(new long[] {0, 0, 5}, rtas("ibm,get-xive", 3, 0x1300));
        rtas("ibm,int-off", 1, 0x1300);
        rtas("ibm,int-off", 1, 0x1300);
        rtas("ibm,int-on", 1, 0x1300);
        assertArrayEquals(new long[] {0, 0, 0xff}, rtas("ibm,get-xive", 3, 0x1300),
                "a second int-off saved the masked priority, as QEMU's ics_write_xive(.., 0xff, irq->priority)");
    }

    @Test
    @DisplayName("xive calls: wrong counts, a source outside the ICS, a server without ICP or a priority over 0xff are -3")
    void xiveParameterErrors() {
        assertArrayEquals(new long[] {-3}, rtas("ibm,set-xive", 1, 0x1300, 0), "two arguments");
        assertArrayEquals(new long[] {-3, 0}, rtas("ibm,set-xive", 2, 0x1300, 0, 5), "two returns");
        assertArrayEquals(new long[] {-3}, rtas("ibm,set-xive", 1, 0xfff, 0, 5), "below XICS_IRQ_BASE");
        assertArrayEquals(new long[] {-3}, rtas("ibm,set-xive", 1, 0x2000, 0, 5), "past the ICS");
        assertArrayEquals(new long[] {-3}, rtas("ibm,set-xive", 1, 0x1300, 1, 5), "server 1 has no ICP");
        assertArrayEquals(new long[] {-3}, rtas("ibm,set-xive", 1, 0x1300, 0, 0x100), "priority 0x100");
        assertArrayEquals(new long[] {-3}, rtas("ibm,get-xive", 1, 0x1300), "get-xive returns three");
        assertArrayEquals(new long[] {-3, 0, 0}, rtas("ibm,get-xive", 3, 0x2000));
        assertArrayEquals(new long[] {-3}, rtas("ibm,int-off", 1, 0x2000));
        assertArrayEquals(new long[] {-3}, rtas("ibm,int-on", 1, 0x1300, 0), "int-on takes one argument");
    }

    @Test
    @DisplayName("change-msi: function 3 allocates the first MSI source, programs edu's MSI message, query finds it")
    void changeMsiAllocatesAndProgramsMsi() {
        m.addVfioPci(PowerHost.EDU, 1);
        assertArrayEquals(new long[] {0, 1, 8, 1}, rtas("ibm,change-msi", 4, CFG, HI, LO, 3, 1, 7));
        int cap = msiCap();
        var bus = m.phb().bus();
        assertEquals((int) MsiRtasCalls.MSI_WINDOW, bus.configRead(DEVFN, cap + 4, 4));
        assertEquals((int) (MsiRtasCalls.MSI_WINDOW >>> 32), bus.configRead(DEVFN, cap + 8, 4));
        assertEquals(0x1300, bus.configRead(DEVFN, cap + 12, 2));
        assertEquals(true, xics().claimedAs(0x1300, false));
        assertArrayEquals(new long[] {0, 0x1300, 1}, rtas("ibm,query-interrupt-source-number", 3, CFG, HI, LO, 0));
        assertArrayEquals(new long[] {-1}, rtas("ibm,query-interrupt-source-number", 1, CFG, HI, LO, 1),
                "vector 1 is past the block");

        assertArrayEquals(new long[] {0, 1, 9}, rtas("ibm,change-msi", 3, CFG, HI, LO, 1, 1, 8),
                "function 1 picks MSI; rets[3] only when asked for");
        assertArrayEquals(new long[] {0, 0x1301, 1}, rtas("ibm,query-interrupt-source-number", 3, CFG, HI, LO, 0),
                "the new block is allocated before the old one is freed");
        assertEquals(1, m.interrupts().msiCalls().allocator().allocated());
        assertEquals(false, xics().claimedAs(0x1300, false), "the old source was released");

        assertArrayEquals(new long[] {0, 0}, rtas("ibm,change-msi", 2, CFG, HI, LO, 3, 0, 9), "0 releases");
        assertEquals(0, m.interrupts().msiCalls().allocator().allocated());
        assertEquals(0, bus.configRead(DEVFN, cap + 12, 2), "the MSI message is cleared");
        assertArrayEquals(new long[] {-1}, rtas("ibm,change-msi", 1, CFG, HI, LO, 3, 0, 10), "nothing left to release");
        assertArrayEquals(new long[] {-1}, rtas("ibm,query-interrupt-source-number", 1, CFG, HI, LO, 0));
    }

    @Test
    @DisplayName("change-msi: more than the MSI vectors enabled answers the capacity and allocates nothing")
    void changeMsiAboveCapacity() {
        m.addVfioPci(PowerHost.EDU, 1);
        assertArrayEquals(new long[] {0, 1, 4, 1}, rtas("ibm,change-msi", 4, CFG, HI, LO, 3, 4, 3));
        assertEquals(0, m.interrupts().msiCalls().allocator().allocated());
        assertArrayEquals(new long[] {-1}, rtas("ibm,query-interrupt-source-number", 1, CFG, HI, LO, 0));
    }

    @Test
    @DisplayName("change-msi: MSI-X on an MSI-only function, functions 0 and 2, an unknown BUID or an empty slot are -3")
    void changeMsiParameterErrors() {
        m.addVfioPci(PowerHost.EDU, 1);
        assertArrayEquals(new long[] {-3}, rtas("ibm,change-msi", 1, CFG, HI, LO, 4, 1, 0), "edu has no MSI-X");
        assertArrayEquals(new long[] {-3}, rtas("ibm,change-msi", 1, CFG, HI, LO, 0, 1, 0), "query is not implemented");
        assertArrayEquals(new long[] {-3}, rtas("ibm,change-msi", 1, CFG, HI, LO, 2, 1, 0), "reset is not implemented");
        assertArrayEquals(new long[] {-3}, rtas("ibm,change-msi", 1, CFG, HI, LO + 1, 3, 1, 0), "unknown BUID");
        assertArrayEquals(new long[] {-3}, rtas("ibm,change-msi", 1, 2 << 11, HI, LO, 3, 1, 0), "slot 2 is empty");
        assertArrayEquals(new long[] {-3}, rtas("ibm,query-interrupt-source-number", 1, 2 << 11, HI, LO, 0));
        assertEquals(0, m.interrupts().msiCalls().allocator().allocated());
    }

    @Test
    @DisplayName("edu's MSI, set up by change-msi and enabled by the guest, is presented by XICS as its source")
    void eduMsiReachesXics() {
        m.addVfioPci(PowerHost.EDU, 1);
        rtas("ibm,change-msi", 4, CFG, HI, LO, 3, 1, 0);
        assertArrayEquals(new long[] {0}, rtas("ibm,set-xive", 1, 0x1300, 0, 5));
        assertEquals(H_SUCCESS, hcall(SoftXics.H_CPPR, 0xff)[0]);
        int cap = msiCap();
        m.phb().bus().configWrite(DEVFN, cap + 2, 2, m.phb().bus().configRead(DEVFN, cap + 2, 2) | 1);

        store(m.bar0Address(1) + EduDevice.REG_IRQ_RAISE, 1);
        assertEquals(0xff00_1300, xirr());
        long[] r = hcall(SoftXics.H_XIRR);
        assertEquals(H_SUCCESS, r[0]);
        assertEquals(0xff00_1300L, r[1]);
        store(m.bar0Address(1) + EduDevice.REG_IRQ_ACK, 1);
        hcall(SoftXics.H_EOI, 0xff00_1300L);
        assertEquals(0xff00_0000, xirr());
        assertEquals(0, m.vcpu().hcallExits() - rtasExits(), "XICS hcalls stayed in the accelerator");
    }

    @Test
    @DisplayName("edu's INTA in slot 1 is LSI 0x1201; EOI resamples, and a line raised again is presented again")
    void eduIntxIsAnLsi() {
        m.addVfioPci(PowerHost.EDU, 1);
        assertEquals(0x1201, m.interrupts().intxIrq(1, 1));
        assertEquals(true, xics().claimedAs(0x1201, true));
        rtas("ibm,set-xive", 1, 0x1201, 0, 5);
        hcall(SoftXics.H_CPPR, 0xff);

        store(m.bar0Address(1) + EduDevice.REG_IRQ_RAISE, 1);
        assertEquals(0xff00_1201, xirr());
        assertEquals(0xff00_1201L, hcall(SoftXics.H_XIRR)[1]);
        store(m.bar0Address(1) + EduDevice.REG_IRQ_ACK, 1);
        hcall(SoftXics.H_EOI, 0xff00_1201L);
        assertEquals(0xff00_0000, xirr(), "the resampled level is down: nothing to present");

        store(m.bar0Address(1) + EduDevice.REG_IRQ_RAISE, 1);
        assertEquals(0xff00_1201, xirr(), "VFIO unmasked INTx after the resample, so it fires again");
    }

    private long rtasExits() {
        return m.hypercalls().count(KVMPPC_H_RTAS);
    }

    private int msiCap() {
        var bus = m.phb().bus();
        int off = bus.configRead(DEVFN, PciRegs.CAPABILITY_LIST, 1) & 0xfc;
        while (off != 0 && bus.configRead(DEVFN, off, 1) != PciRegs.CAP_ID_MSI) {
            off = bus.configRead(DEVFN, off + 1, 1) & 0xfc;
        }
        return off;
    }
}
