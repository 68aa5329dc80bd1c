package org.jvmm.papr;

import static org.jvmm.papr.Rtas.RTAS_OUT_HW_ERROR;
import static org.jvmm.papr.Rtas.RTAS_OUT_PARAM_ERROR;
import static org.jvmm.papr.Rtas.RTAS_OUT_SUCCESS;

import java.util.function.Supplier;
import org.jvmm.kvm.spapr.SpaprXics;

/**
 * The XICS source calls of RTAS, as QEMU 7.2 answers them with its emulated XICS
 * (hw/intc/xics_spapr.c), on the accelerator's XICS ({@link SpaprXics}):
 * <ul>
 * <li>ibm,set-xive (3 args: source, server, priority; 1 ret): the priority is also saved;</li>
 * <li>ibm,get-xive (1 arg; 3 rets: status, server, priority);</li>
 * <li>ibm,int-off (1 arg; 1 ret): priority 0xff, the current priority saved (so a second int-off
 *     saves 0xff);</li>
 * <li>ibm,int-on (1 arg; 1 ret): the saved priority back.</li>
 * </ul>
 * Other counts, a source outside the ICS, a server with no ICP or a priority above 0xff store
 * RTAS_OUT_PARAM_ERROR (-3) in rets[0]; with no XICS in the VM, RTAS_OUT_HW_ERROR (-1). As QEMU's
 * rtas_st, rets[0] is written whatever nret says.
 */
public final class XicsRtasCalls {
    /** QEMU 7.2's fixed tokens (include/hw/ppc/spapr.h, RTAS_TOKEN_BASE + 0x0A..0x0D). */
    public static final int TOKEN_SET_XIVE = 0x200A;
    public static final int TOKEN_GET_XIVE = 0x200B;
    public static final int TOKEN_INT_OFF = 0x200C;
    public static final int TOKEN_INT_ON = 0x200D;

    private final Supplier<SpaprXics> xics;

    /** @param xics the VM's XICS, or null while it has none (looked up at each call) */
    public XicsRtasCalls(Supplier<SpaprXics> xics) {
        this.xics = xics;
    }

    public void registerIn(Rtas rtas) {
        rtas.register("ibm,set-xive", this::setXive);
        rtas.register("ibm,get-xive", this::getXive);
        rtas.register("ibm,int-off", this::intOff);
        rtas.register("ibm,int-on", this::intOn);
    }

    void setXive(Rtas.Args a) {
        if (a.nargs() != 3 || a.nret() != 1) {
            a.ret(0, RTAS_OUT_PARAM_ERROR);
            return;
        }
        SpaprXics x = xics.get();
        if (x == null) {
            a.ret(0, RTAS_OUT_HW_ERROR);
            return;
        }
        long nr = a.arg(0);
        long server = a.arg(1);
        long priority = a.arg(2);
        if (!x.validIrq(nr) || !x.hasServer(server) || priority > 0xff) {
            a.ret(0, RTAS_OUT_PARAM_ERROR);
            return;
        }
        x.setXive((int) nr, (int) server, (int) priority, (int) priority);
        a.ret(0, RTAS_OUT_SUCCESS);
    }

    void getXive(Rtas.Args a) {
        if (a.nargs() != 1 || a.nret() != 3) {
            a.ret(0, RTAS_OUT_PARAM_ERROR);
            return;
        }
        SpaprXics x = xics.get();
        if (x == null) {
            a.ret(0, RTAS_OUT_HW_ERROR);
            return;
        }
        long nr = a.arg(0);
        if (!x.validIrq(nr)) {
            a.ret(0, RTAS_OUT_PARAM_ERROR);
            return;
        }
        SpaprXics.Xive xive = x.getXive((int) nr);
        a.ret(0, RTAS_OUT_SUCCESS);
        a.ret(1, xive.server());
        a.ret(2, xive.priority());
    }

    void intOff(Rtas.Args a) {
        SpaprXics x = source(a);
        if (x != null) {
            int nr = (int) a.arg(0);
            int[] s = x.xiveState(nr);
            x.setXive(nr, s[0], SpaprXics.MASKED, s[1]);
            a.ret(0, RTAS_OUT_SUCCESS);
        }
    }

    void intOn(Rtas.Args a) {
        SpaprXics x = source(a);
        if (x != null) {
            int nr = (int) a.arg(0);
            int[] s = x.xiveState(nr);
            x.setXive(nr, s[0], s[2], s[2]);
            a.ret(0, RTAS_OUT_SUCCESS);
        }
    }

    /** The counts (1 arg, 1 ret) and the source of int-on/int-off; null after storing the error. */
    private SpaprXics source(Rtas.Args a) {
        if (a.nargs() != 1 || a.nret() != 1) {
            a.ret(0, RTAS_OUT_PARAM_ERROR);
            return null;
        }
        SpaprXics x = xics.get();
        if (x == null) {
            a.ret(0, RTAS_OUT_HW_ERROR);
            return null;
        }
        if (!x.validIrq(a.arg(0))) {
            a.ret(0, RTAS_OUT_PARAM_ERROR);
            return null;
        }
        return x;
    }
}
