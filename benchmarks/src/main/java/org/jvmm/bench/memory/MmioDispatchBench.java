package org.jvmm.bench.memory;

import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import org.jvmm.address.GuestAddress;
import org.jvmm.memory.AccessRules;
import org.jvmm.memory.AddressSpace;
import org.jvmm.memory.ContainerRegion;
import org.jvmm.memory.Endianness;
import org.jvmm.memory.MmioOps;
import org.jvmm.memory.MmioRegion;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One MMIO dispatch to trivial ops: a 4-byte read and a 4-byte write at a guest address, through
 * lookup, access-rule checks and the counters, in a space of 64 regions. {@code splitRead} is an
 * 8-byte read of a 4-byte-only device (two device calls).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class MmioDispatchBench {
    private AddressSpace as;
    private final GuestAddress reg = new GuestAddress(0xfe00_0000L + 0x20 * 0x1000 + 0x10);
    private long value;

    static final class Regs implements MmioOps {
        private final AccessRules rules;
        long last;

        Regs(AccessRules rules) {
            this.rules = rules;
        }

        @Override
        public AccessRules rules() {
            return rules;
        }

        @Override
        public long read(long offset, int size) {
            return last + offset;
        }

        @Override
        public void write(long offset, int size, long v) {
            last = v;
        }
    }

    @Setup
    public void build() {
        ContainerRegion root = new ContainerRegion("system", 1L << 40);
        for (int i = 0; i < 64; i++) {
            AccessRules rules = AccessRules.of(1, 4, Endianness.LITTLE);
            if (i == 0x20) {
                rules = new AccessRules(1, 8, false, 4, 4, Endianness.LITTLE);
            }
            root.addSubregion(0xfe00_0000L + i * 0x1000L, new MmioRegion("dev" + i, 0x1000, new Regs(rules)));
        }
        as = new AddressSpace("memory", root, ByteOrder.LITTLE_ENDIAN);
    }

    @Benchmark
    public long read4() {
        return as.read(reg, 4);
    }

    @Benchmark
    public void write4() {
        as.write(reg, 4, ++value);
    }

    @Benchmark
    public long splitRead() {
        return as.read(reg, 8);
    }
}
