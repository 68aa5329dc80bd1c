package org.jvmm.memory;

import java.util.Objects;

/**
 * Memory-mapped I/O: accesses go to the device's {@link MmioOps} (QEMU's memory_region_init_io).
 * The region itself holds no state; its ops must be safe to call from any accessing thread.
 */
public final class MmioRegion extends MemoryRegion {
    private final MmioOps ops;
    private final AccessRules rules;

    public MmioRegion(String name, long size, MmioOps ops) {
        super(name, size);
        this.ops = Objects.requireNonNull(ops, "ops");
        this.rules = Objects.requireNonNull(ops.rules(), "ops.rules()");
    }

    public MmioOps ops() {
        return ops;
    }

    public AccessRules rules() {
        return rules;
    }

    @Override
    public String kind() {
        return "i/o";
    }
}
