package org.jvmm.papr;

import java.util.List;

/**
 * The fixed RTAS token numbers of QEMU 7.2's pseries (include/hw/ppc/spapr.h, RTAS_TOKEN_BASE
 * 0x2000 up to RTAS_TOKEN_MAX 0x202d): every call has its own number whether or not a machine
 * implements it, so a guest written against QEMU's device tree (or one that hard-codes
 * power-off as 0x2003) finds the same call here. {@link Rtas#register} gives each call its
 * number from this table.
 */
public final class RtasTokens {
    private RtasTokens() {
    }

    /** RTAS_TOKEN_BASE. */
    public static final int BASE = 0x2000;
    /** The call names in token order: index i is token {@link #BASE} + i. */
    static final List<String> NAMES = List.of(
            "display-character", "get-time-of-day", "set-time-of-day", "power-off", "system-reboot",
            "query-cpu-stopped-state", "start-cpu", "stop-self", "ibm,get-system-parameter",
            "ibm,set-system-parameter", "ibm,set-xive", "ibm,get-xive", "ibm,int-off", "ibm,int-on",
            "check-exception", "event-scan", "ibm,set-tce-bypass", "quiesce", "nvram-fetch", "nvram-store",
            "read-pci-config", "write-pci-config", "ibm,read-pci-config", "ibm,write-pci-config",
            "ibm,query-interrupt-source-number", "ibm,change-msi", "set-indicator", "set-power-level",
            "get-power-level", "get-sensor-state", "ibm,configure-connector", "ibm,os-term",
            "ibm,set-eeh-option", "ibm,get-config-addr-info2", "ibm,read-slot-reset-state2",
            "ibm,set-slot-reset", "ibm,configure-pe", "ibm,slot-error-detail", "ibm,query-pe-dma-window",
            "ibm,create-pe-dma-window", "ibm,remove-pe-dma-window", "ibm,reset-pe-dma-window",
            "ibm,suspend-me", "ibm,nmi-register", "ibm,nmi-interlock");
    /** RTAS_TOKEN_MAX: one past the last token. */
    public static final int MAX = BASE + NAMES.size();
    /** The token Linux's early debug code assumes for display-character (QEMU answers it too). */
    public static final int DISPLAY_CHARACTER_LEGACY = 0xa;

    public static final int POWER_OFF = BASE + 3;
    public static final int IBM_READ_PCI_CONFIG = BASE + 0x16;

    /**
     * QEMU 7.2's token for {@code name}.
     *
     * @throws IllegalArgumentException naming the call when QEMU 7.2 has no such RTAS call
     */
    public static int of(String name) {
        int i = NAMES.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("RTAS call '" + name + "' has no token in QEMU 7.2's table"
                    + " (include/hw/ppc/spapr.h)");
        }
        return BASE + i;
    }

    /** The call QEMU 7.2 gives {@code token}, or null outside [BASE, MAX). */
    public static String name(int token) {
        int i = token - BASE;
        return i >= 0 && i < NAMES.size() ? NAMES.get(i) : null;
    }
}
