package org.jvmm.machine.config;

/**
 * Which machine to build, and its options: {@code -M x86-toy} (no options) or
 * {@code -M pseries[,kvm-tce=on|off][,link=mainline|seed]}.
 *
 * @param pseries the pseries options; {@link PseriesConfig#DEFAULT} for x86-toy, which takes none
 */
public record MachineConfig(MachineType type, PseriesConfig pseries) {
    public MachineConfig {
        if (type == null || pseries == null) {
            throw new IllegalArgumentException("machine config: type and pseries options are required (" + type + ", "
                    + pseries + ")");
        }
    }

    /**
     * Parses a {@code -M} value.
     *
     * @throws IllegalArgumentException naming -M and the value: an unknown machine, an option
     *     x86-toy does not take, a pseries option that is unknown or has a bad value
     */
    public static MachineConfig parse(String spec) {
        MachineType type = MachineType.of(spec);
        return switch (type) {
            case PSERIES -> new MachineConfig(type, PseriesConfig.parse(spec));
            case X86_TOY -> {
                if (!spec.equals(type.spelling())) {
                    String key = spec.substring(type.spelling().length() + 1).split("[=,]", 2)[0];
                    throw new IllegalArgumentException("-M " + spec + ": Property 'x86-toy." + key
                            + "' not found (x86-toy takes no options)");
                }
                yield new MachineConfig(type, PseriesConfig.DEFAULT);
            }
        };
    }
}
