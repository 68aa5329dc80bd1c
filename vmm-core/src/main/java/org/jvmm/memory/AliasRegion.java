package org.jvmm.memory;

/**
 * A window onto part of another region (QEMU's memory_region_init_alias): offset 0 of the alias
 * is offset {@link #targetOffset()} of {@link #target()}, for {@link #size()} bytes. A PC's
 * "ram-below-4g" is an alias of guest RAM; so is a BAR's view of device memory.
 */
public final class AliasRegion extends MemoryRegion {
    private final MemoryRegion target;
    private final long targetOffset;

    public AliasRegion(String name, MemoryRegion target, long targetOffset, long size) {
        super(name, size);
        if (target == null) {
            throw new IllegalArgumentException("alias " + name + ": no target region");
        }
        if (targetOffset < 0 || targetOffset > target.size() || size > target.size() - targetOffset) {
            throw new IllegalArgumentException("alias " + name + ": [0x" + Long.toHexString(targetOffset) + ", 0x"
                    + Long.toHexString(targetOffset + size) + ") is outside " + target.name() + " (size 0x"
                    + Long.toHexString(target.size()) + ")");
        }
        this.target = target;
        this.targetOffset = targetOffset;
        Topology.lock();
        try {
            target.addAlias(this);
        } finally {
            Topology.unlock();
        }
    }

    public MemoryRegion target() {
        return target;
    }

    public long targetOffset() {
        return targetOffset;
    }

    @Override
    public String kind() {
        return "alias";
    }
}
