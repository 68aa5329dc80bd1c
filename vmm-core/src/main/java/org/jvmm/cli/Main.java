package org.jvmm.cli;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.machine.MachineMemory;
import org.jvmm.machine.x86.X86ToyLayout;
import org.jvmm.memory.MemoryTreeFormatter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code ./vmm} command line. Options follow QEMU's where they mean the same ({@code -M},
 * {@code -m}). With no action option it runs the main job; at this stage of the project that is
 * building the chosen machine and printing its memory map, as QEMU's {@code info mtree -f} does.
 */
@Command(name = "vmm", mixinStandardHelpOptions = true, version = "jvmm 0.1.0",
        description = {"jvmm: a QEMU-style VMM over an in-process model of Linux VFIO.",
                "Builds the machine and prints its memory map (address spaces, regions, flat views)."},
        sortOptions = false)
public final class Main implements Callable<Integer> {

    @Option(names = {"-M", "--machine"}, paramLabel = "NAME", defaultValue = "x86-toy",
            description = "Machine type: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).",
            completionCandidates = MachineNames.class)
    String machine;

    @Option(names = {"-m", "--memory"}, paramLabel = "SIZE", defaultValue = "64M", converter = SizeConverter.class,
            description = "Guest RAM, e.g. 64M or 1G; a bare number is MiB (default: ${DEFAULT-VALUE}).")
    long memory;

    @Option(names = "-qtest", paramLabel = "stdio|FILE",
            description = "With -M pseries: run a qtest-like script from stdin or FILE (see README).")
    String qtest;

    static final class MachineNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return java.util.List.of("x86-toy", "pseries").iterator();
        }
    }

    @picocli.CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final PrintStream out;

    Main(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws java.io.IOException {
        if (qtest != null || machine.startsWith("pseries")) {
            if (qtest == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "-M pseries runs with -qtest stdio|FILE");
            }
            return org.jvmm.qtest.QtestLauncher.run(machine, memory, qtest, System.in, out);
        }
        if (!machine.equals("x86-toy")) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "unknown machine '" + machine + "'; known: x86-toy");
        }
        try (MachineMemory mem = new MachineMemory(new HostMemoryRegistry())) {
            X86ToyLayout layout = X86ToyLayout.build(mem, memory, System.out, status -> { });
            out.print(MemoryTreeFormatter.format(java.util.List.of(layout.memory(), layout.io())));
        }
        return 0;
    }

    /** Runs the command line and returns the exit status. */
    public static int run(PrintStream out, PrintStream err, String... args) {
        CommandLine cl = new CommandLine(new Main(out));
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("vmm: " + e.getMessage());
            return 1;
        });
        return cl.execute(args);
    }

    public static void main(String[] args) {
        System.exit(run(System.out, System.err, args));
    }
}
