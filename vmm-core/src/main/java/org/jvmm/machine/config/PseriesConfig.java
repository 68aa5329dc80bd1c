package org.jvmm.machine.config;

import org.jvmm.hw.vfio.VfioSpaprSpace;

/**
 * The pseries machine's options: {@code kvm-tce} (TCE tables in the accelerator, linked to the
 * VFIO group: the in-kernel fast path; default on) and {@code link} (which KVM-VFIO attribute links
 * them: mainline's per-group {@code KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE}, or the per-window LIOBN link,
 * {@code KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE_LIOBN}, proposed and never merged; default mainline).
 */
public record PseriesConfig(boolean kvmTce, VfioSpaprSpace.KvmLink link) {
    /** kvm-tce=on, link=mainline. */
    public static final PseriesConfig DEFAULT = new PseriesConfig(true, VfioSpaprSpace.KvmLink.MAINLINE);

    public PseriesConfig {
        if (link == null) {
            throw new IllegalArgumentException("pseries options: link is null (mainline or seed)");
        }
    }

    /**
     * Parses {@code pseries[,kvm-tce=on|off][,link=mainline|seed]}.
     *
     * @throws IllegalArgumentException naming -M, the value given and the property, as QEMU
     *     words it ("Property 'pseries.x' not found", "Parameter 'kvm-tce' expects 'on' or 'off'")
     */
    public static PseriesConfig parse(String machine) {
        String[] parts = machine.split(",", -1);
        String where = "-M " + machine;
        if (!parts[0].equals(MachineType.PSERIES.spelling())) {
            throw new IllegalArgumentException(where + ": qtest runs on -M pseries only, not '" + parts[0] + "'");
        }
        boolean kvmTce = DEFAULT.kvmTce();
        VfioSpaprSpace.KvmLink link = DEFAULT.link();
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=", 2);
            String v = kv.length == 2 ? kv[1] : "";
            switch (kv[0]) {
                case "kvm-tce" -> kvmTce = switch (v) {
                    case "on" -> true;
                    case "off" -> false;
                    default -> throw new IllegalArgumentException(where + ": Parameter 'kvm-tce' expects 'on' or 'off', not '"
                            + v + "'");
                };
                case "link" -> link = switch (v) {
                    case "mainline" -> VfioSpaprSpace.KvmLink.MAINLINE;
                    case "seed" -> VfioSpaprSpace.KvmLink.SEED_LIOBN;
                    default -> throw new IllegalArgumentException(where + ": Parameter 'link' expects 'mainline' or 'seed', not '"
                            + v + "'");
                };
                default -> throw new IllegalArgumentException(where + ": Property 'pseries." + kv[0]
                        + "' not found (known: kvm-tce, link, dumpdtb)");
            }
        }
        return new PseriesConfig(kvmTce, link);
    }
}
