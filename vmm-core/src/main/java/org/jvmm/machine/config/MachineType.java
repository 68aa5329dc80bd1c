package org.jvmm.machine.config;

import java.util.Arrays;

/** The machines this VMM builds, by their {@code -M} name. */
public enum MachineType {
    /** The x86-64 machine on Linux KVM ({@code org.jvmm.machine.x86}). */
    X86_TOY("x86-toy"),
    /** The POWER sPAPR machine on the soft accelerator ({@code org.jvmm.machine.pseries}). */
    PSERIES("pseries");

    private final String spelling;

    MachineType(String spelling) {
        this.spelling = spelling;
    }

    /** The name as {@code -M} takes it. */
    public String spelling() {
        return spelling;
    }

    /**
     * The machine named by the first comma-separated part of {@code spec}.
     *
     * @throws IllegalArgumentException naming {@code -M}, the spec and the machines known
     */
    public static MachineType of(String spec) {
        String name = spec.split(",", 2)[0];
        for (MachineType t : values()) {
            if (t.spelling.equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("-M " + spec + ": unknown machine '" + name + "'; known: "
                + String.join(", ", Arrays.stream(values()).map(MachineType::spelling).toList()));
    }

    @Override
    public String toString() {
        return spelling;
    }
}
