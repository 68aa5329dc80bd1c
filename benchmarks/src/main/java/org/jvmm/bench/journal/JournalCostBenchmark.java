package org.jvmm.bench.journal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import org.jvmm.dispatch.ExitCounters;
import org.jvmm.dispatch.ExitDispatcher;
import org.jvmm.journal.Journal;
import org.jvmm.journal.JournalCategory;
import org.jvmm.kvm.VcpuExit;
import org.jvmm.memory.AddressSpace;
import org.jvmm.memory.ContainerRegion;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the journal costs, with its reference in the same run:
 * <ul>
 * <li>{@code exitDispatch}: one port-I/O exit through the exit dispatcher (the write goes to an
 *     empty I/O space and is dropped), with {@code journal} off (the reference: what a hot path
 *     that is not journalled pays), {@code other} (a journal open recording DMA only: the exit path
 *     pays the category test) and {@code exits} (every exit journalled). Exits per second are
 *     1e9 / score.</li>
 * <li>{@code journalEvent}: one event appended to the Chronicle Queue (journal on), or the test
 *     alone (journal off): the cost per journalled event.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow", "-Dchronicle.analytics.disable=true"})
public class JournalCostBenchmark {
    @Param({"off", "other", "exits"})
    String journal;

    private Path dir;
    private ExitDispatcher.Peripherals peripherals;
    private final ExitCounters counters = new ExitCounters();
    private VcpuExit.Io exit;
    private long n;

    @Setup
    public void setUp() throws Exception {
        AddressSpace memory = new AddressSpace("memory", new ContainerRegion("system", 1L << 32), ByteOrder.LITTLE_ENDIAN);
        AddressSpace io = new AddressSpace("io", new ContainerRegion("io", 1 << 16), ByteOrder.LITTLE_ENDIAN);
        peripherals = new ExitDispatcher.Peripherals(memory, io);
        MemorySegment data = Arena.ofAuto().allocate(8);
        exit = new VcpuExit.Io(VcpuExit.Direction.OUT, 0x80, 1, 1, data);
        dir = Files.createTempDirectory("jvmm-journal-bench");
        switch (journal) {
            case "other" -> Journal.open(dir, EnumSet.of(JournalCategory.DMA));
            case "exits" -> Journal.open(dir, EnumSet.of(JournalCategory.EXIT, JournalCategory.DMA));
            default -> { }
        }
    }

    @TearDown
    public void tearDown() throws Exception {
        Journal.close();
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Benchmark
    public Object exitDispatch() {
        return ExitDispatcher.handle(peripherals, exit, counters);
    }

    @Benchmark
    public boolean journalEvent() {
        boolean on = Journal.on(JournalCategory.DMA);
        if (on) {
            Journal.record(JournalCategory.DMA, "map", n++ << 12, 0x1000, 0, 0, "");
        }
        return on;
    }
}
