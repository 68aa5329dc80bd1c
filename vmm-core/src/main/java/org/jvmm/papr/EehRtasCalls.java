package org.jvmm.papr;

import static org.jvmm.papr.Rtas.*;

import java.util.function.IntUnaryOperator;
import java.util.function.LongPredicate;
import org.jvmm.host.ErrnoException;

/**
 * EEH through RTAS for a PHB with VFIO devices (QEMU hw/ppc/spapr_pci.c and spapr_pci_vfio.c):
 * each call becomes one VFIO_EEH_PE_OP on the PHB's container, so a guest can run the recovery
 * sequence of Documentation/vfio.txt itself.
 * <ul>
 * <li>ibm,set-eeh-option (4 args: config address, BUID hi/lo, option 0 disable / 1 enable /
 *     2 thaw MMIO / 3 thaw DMA; 1 ret);</li>
 * <li>ibm,read-slot-reset-state2 (3 args; 4 or 5 rets: status, PE state, EEH supported (1),
 *     unavailable-info (1000) [, recovery info 0]);</li>
 * <li>ibm,set-slot-reset (4 args, option 0 deactivate / 1 hot / 3 fundamental; 1 ret);</li>
 * <li>ibm,configure-pe (3 args; 1 ret).</li>
 * </ul>
 * Wrong counts, an unknown BUID or option are parameter errors; a failed VFIO op is a hardware error.
 */
public final class EehRtasCalls {
    private final LongPredicate knownBuid;
    private final IntUnaryOperator peOp;

    /**
     * @param knownBuid whether a BUID names a PHB with EEH
     * @param peOp runs VFIO_EEH_PE_OP {@code op} on the PHB's container and returns its result
     */
    public EehRtasCalls(LongPredicate knownBuid, IntUnaryOperator peOp) {
        this.knownBuid = knownBuid;
        this.peOp = peOp;
    }

    public void registerIn(Rtas rtas) {
        rtas.register("ibm,set-eeh-option", this::setEehOption);
        rtas.register("ibm,read-slot-reset-state2", this::readSlotResetState2);
        rtas.register("ibm,set-slot-reset", this::setSlotReset);
        rtas.register("ibm,configure-pe", this::configurePe);
    }

    private boolean phb(Rtas.Args a) {
        return knownBuid.test(a.arg(1) << 32 | a.arg(2));
    }

    private void op(Rtas.Args a, int vfioOp) {
        try {
            peOp.applyAsInt(vfioOp);
            a.ret(0, RTAS_OUT_SUCCESS);
        } catch (ErrnoException | IllegalStateException e) {
            a.ret(0, RTAS_OUT_HW_ERROR);
        }
    }

    void setEehOption(Rtas.Args a) {
        if (a.nargs() != 4 || a.nret() != 1 || !phb(a)) {
            paramError(a);
            return;
        }
        long option = a.arg(3);
        if (option > 3) {
            a.ret(0, RTAS_OUT_PARAM_ERROR);
            return;
        }
        op(a, (int) option); // DISABLE 0, ENABLE 1, UNFREEZE_IO 2, UNFREEZE_DMA 3
    }

    void readSlotResetState2(Rtas.Args a) {
        if (a.nargs() != 3 || (a.nret() != 4 && a.nret() != 5) || !phb(a)) {
            paramError(a);
            return;
        }
        int state;
        try {
            state = peOp.applyAsInt(4); // VFIO_EEH_PE_GET_STATE
        } catch (ErrnoException | IllegalStateException e) {
            a.ret(0, RTAS_OUT_HW_ERROR);
            return;
        }
        a.ret(0, RTAS_OUT_SUCCESS);
        a.ret(1, state);
        a.ret(2, 1); // RTAS_EEH_SUPPORT
        a.ret(3, 1000); // RTAS_EEH_PE_UNAVAIL_INFO
        if (a.nret() == 5) {
            a.ret(4, 0); // RTAS_EEH_PE_RECOVER_INFO
        }
    }

    void setSlotReset(Rtas.Args a) {
        if (a.nargs() != 4 || a.nret() != 1 || !phb(a)) {
            paramError(a);
            return;
        }
        long option = a.arg(3);
        int vfioOp = switch ((int) option) {
            case 0 -> 5; // RESET_DEACTIVATE
            case 1 -> 6; // RESET_HOT
            case 3 -> 7; // RESET_FUNDAMENTAL
            default -> -1;
        };
        if (vfioOp < 0 || option > 3) {
            a.ret(0, RTAS_OUT_PARAM_ERROR);
            return;
        }
        op(a, vfioOp);
    }

    void configurePe(Rtas.Args a) {
        if (a.nargs() != 3 || a.nret() != 1 || !phb(a)) {
            paramError(a);
            return;
        }
        op(a, 8); // VFIO_EEH_PE_CONFIGURE
    }

    private static void paramError(Rtas.Args a) {
        if (a.nret() > 0) {
            a.ret(0, RTAS_OUT_PARAM_ERROR);
        }
    }
}
