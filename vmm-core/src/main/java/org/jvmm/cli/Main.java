package org.jvmm.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.sys.Syscalls;
import org.jvmm.kvm.elf.ElfFormatException;
import org.jvmm.kvm.linux.LinuxKvm;
import org.jvmm.machine.MachineMemory;
import org.jvmm.machine.config.HostDeviceConfig;
import org.jvmm.machine.config.MachineConfig;
import org.jvmm.machine.config.MachineType;
import org.jvmm.machine.config.MemoryConfig;
import org.jvmm.machine.config.PseriesConfig;
import org.jvmm.machine.pseries.PseriesBuilder;
import org.jvmm.machine.config.VfioPciConfig;
import org.jvmm.machine.x86.X86ToyBuilder;
import org.jvmm.machine.x86.X86ToyLayout;
import org.jvmm.machine.x86.X86ToyMachine;
import org.jvmm.memory.MemoryTreeFormatter;
import org.jvmm.pci.PciAddress;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code ./vmm} command line. Options follow QEMU's where they mean the same ({@code -M},
 * {@code -m}, {@code -kernel}, {@code -device vfio-pci,host=...}); {@code -host-device} builds the
 * simulated host's PCI functions (bound to vfio-pci), which a real host would have in hardware.
 *
 * <p>The main job, with no options: the x86-toy machine on KVM with a host edu at 0000:00:03.0
 * given to the guest through vfio-pci, running the edu DMA guest; the guest's output, then a
 * summary of what the VMM saw.
 */
@Command(name = "vmm", mixinStandardHelpOptions = true, version = "jvmm 0.1.0", sortOptions = false,
        addMethodSubcommands = false, // subcommands: journal and serve-device, added by run when a command line may name them
        description = {"jvmm: a QEMU-style VMM over an in-process model of Linux VFIO.",
                "With no options: runs the edu DMA guest on KVM with an edu device given through vfio-pci, "
                        + "prints what the guest printed, then a summary of what the VMM saw."},
        exitCodeListHeading = "Exit status:%n",
        exitCodeList = {"0:the guest passed (it wrote 0 to the exit port), or an --info report was printed",
                "1:the guest reported a failure, or stopped without reporting",
                "2:bad options: the message names the option and the value",
                "3:this host cannot run the machine (no usable /dev/kvm)"})
public final class Main implements Callable<Integer> {
    static final String DEFAULT_HOST = "0000:00:03.0";
    /** The largest ivshmem shared memory: half of x86-toy's 64-bit PCI hole, where its BAR2 goes. */
    static final long IVSHMEM_SIZE_MAX = HostDeviceConfig.IVSHMEM_SIZE_MAX;
    /** Options that mean something only on x86-toy: -M pseries refuses them by name. */
    private static final List<String> X86_TOY_ONLY = List.of("--info", "--kvm-device", "-mdev", "-mdev-migrate", "-screendump", "-object");

    @Option(names = {"-M", "--machine"}, paramLabel = "NAME", defaultValue = "x86-toy",
            description = "Machine type: x86-toy (default), or pseries[,kvm-tce=on|off][,link=mainline|seed] "
                    + "with -qtest (default: ${DEFAULT-VALUE}).")
    String machine;

    @Option(names = {"-m", "--memory"}, paramLabel = "SIZE", defaultValue = "64M", converter = SizeConverter.class,
            description = "Guest RAM, a whole number of MiB, e.g. 64M or 1G; a bare number is MiB (default: ${DEFAULT-VALUE}).")
    long memory;

    @Option(names = {"-kernel", "--kernel"}, paramLabel = "ELF",
            description = "x86-64 ELF image to boot in long mode (default: the edu DMA guest, "
                    + "guest-tests/images/x86/edu-dma.elf).")
    Path kernel;

    @Option(names = "-qtest", paramLabel = "stdio|FILE",
            description = "With -M pseries: run a qtest-like script from stdin or FILE (see README).")
    String qtest;

    @Option(names = {"-append", "--append"}, paramLabel = "N",
            description = "x86-toy: a 64-bit number passed to the guest's entry in RDI, decimal or 0x hex (default: 0). "
                    + "pseries: the kernel command line (with -kernel).")
    String append;

    @Option(names = {"-bios", "--bios"}, paramLabel = "IMAGE",
            description = "pseries: a raw firmware image loaded at 0 and entered at 0x100 big-endian, r3 = the device tree.")
    Path bios;

    @Option(names = {"-device", "--device"}, paramLabel = "DEV", converter = DeviceOption.Converter.class,
            description = "A guest device: vfio-pci,host=DDDD:BB:DD.F[,addr=SLOT][,x-no-mmap=on|off], or an mdev: "
                    + "vfio-pci,sysfsdev=/sys/bus/mdev/devices/UUID[,addr=SLOT][,display=on|off|auto]. Repeatable; "
                    + "each host function once, each slot (1-31) once. Default: vfio-pci,host=" + DEFAULT_HOST + ",addr=3.")
    List<DeviceOption> devices = new ArrayList<>();

    @Option(names = {"-host-device", "--host-device"}, paramLabel = "DEV", converter = DeviceOption.Converter.class,
            description = "A function of the simulated host, bound to vfio-pci: edu,host=ADDR or "
                    + "ivshmem,host=ADDR,size=SIZE (a power of two from 4K to 16G, default 1M); or an mdev parent: "
                    + "mtty, mbochs[,pool=MIB], medu[,max-instances=N][,forget-unpin=on]. Repeatable. "
                    + "Default: edu,host=" + DEFAULT_HOST + ".")
    List<DeviceOption> hostDevices = new ArrayList<>();

    @Option(names = {"-timeout", "--timeout"}, paramLabel = "SECONDS", defaultValue = "60", converter = NumberConverters.Timeout.class,
            description = "Stop the guest after this many seconds, 1 to 86400 (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Option(names = "--info", paramLabel = "WHAT",
            description = "Print a report instead of running: mtree (the memory map, as QEMU's info mtree -f).")
    String info;

    @Option(names = "--kvm-device", paramLabel = "PATH", defaultValue = LinuxKvm.DEVICE, hidden = true,
            description = "The KVM device node (default: ${DEFAULT-VALUE}).")
    String kvmDevice;

    @CommandLine.Mixin
    MdevOptions mdevOptions = new MdevOptions();

    @CommandLine.Mixin
    org.jvmm.qmp.MonitorOptions monitor = new org.jvmm.qmp.MonitorOptions();

    @CommandLine.Mixin
    IommufdOptions iommufdOptions = new IommufdOptions();
    private final VtdOptions vtdOptions = new VtdOptions();

    @CommandLine.Mixin
    org.jvmm.web.WebOptions web = new org.jvmm.web.WebOptions();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final PrintStream out;

    Main(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        web.attachTo(monitor);
        try (AutoCloseable journal = monitor.openJournal(spec.commandLine().getParseResult().originalArgs(), qtest)) {
            return switch (MachineType.of(machine)) {
                case PSERIES -> runPseries();
                case X86_TOY -> runX86Toy();
            };
        }
    }

    private int runPseries() throws Exception {
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        List<String> x86Only = X86_TOY_ONLY.stream().filter(parsed::hasMatchedOption)
                .map(n -> n + " " + String.join(" ", parsed.matchedOption(n).originalStringValues())).toList();
        if (monitor.active() || monitor.startPaused()) {
            if (qtest == null || bios != null || kernel != null) {
                throw new UsageException((monitor.startPaused() ? "-S" : "-qmp") + ": with -M pseries the monitor runs a -qtest script"
                        + " (not yet a -bios or -kernel guest)");
            }
            if (!x86Only.isEmpty()) {
                throw new UsageException(x86Only.get(0) + ": means nothing with -M pseries; x86-toy only");
            }
            PseriesBuilder builder = new PseriesBuilder(new MemoryConfig(memory, "-m " + memoryText()));
            return org.jvmm.qmp.MonitoredRun.runPseries(monitor, builder.options(PseriesConfig.parse(machine)), qtest, System.in, out);
        }
        return PseriesRun.run(new PseriesRun.Options(machine, parsed.hasMatchedOption("-m") ? memory : null, memoryText(),
                bios, kernel, append, devices, hostDevices, timeoutSeconds, parsed.hasMatchedOption("-timeout"), qtest, x86Only), out,
                new PrintStream(new java.io.OutputStream() {
                    @Override
                    public void write(int b) {
                        spec.commandLine().getErr().write(b);
                    }

                    @Override
                    public void flush() {
                        spec.commandLine().getErr().flush();
                    }
                }, true));
    }

    private int runX86Toy() throws Exception {
        if (qtest != null) {
            throw new UsageException("-qtest " + qtest + ": runs with -M pseries only (x86-toy boots a -kernel)");
        }
        if (bios != null) {
            throw new UsageException("-bios " + bios + ": means nothing with -M x86-toy (it boots a -kernel ELF); pseries only");
        }
        long argument;
        try {
            argument = append == null ? 0 : NumberConverters.Register64.parse(append);
        } catch (CommandLine.TypeConversionException e) {
            throw new UsageException("-append: " + e.getMessage());
        }
        MachineConfig.parse(machine);
        monitor.endpoints(); // a bad -qmp is refused before anything is built
        X86ToyBuilder builder = new X86ToyBuilder(new MemoryConfig(memory, "-m " + memoryText()));
        if (info != null) {
            if (!info.equals("mtree")) {
                throw new UsageException("--info " + info + ": unknown report; known: mtree");
            }
            return printMemoryMap();
        }
        hostDevices(builder);
        mdevOptions.apply(builder);
        iommufdOptions.declare(builder);
        guestDevices(builder);
        mdevOptions.applyMigrate(builder);
        byte[] image = kernel != null ? checkedKernel(kernel) : null;
        Optional<String> noKvm = kvmUnavailableReason(kvmDevice);
        if (noKvm.isPresent()) {
            spec.commandLine().getErr().println("vmm: cannot run x86-toy here: " + noKvm.get() + ". The x86-toy machine"
                    + " needs KVM (hardware virtualization through /dev/kvm, read-write for this user). "
                    + "'./vmm --info mtree' shows the machine without running it.");
            return 3;
        }
        if (image == null) {
            image = defaultKernel();
        }
        return runGuest(image, vtdOptions.argument(append, argument), builder.console(out).kvmDevice(kvmDevice));
    }

    /** The -m value as given (or the default). */
    private String memoryText() {
        CommandLine.Model.OptionSpec m = spec.commandLine().getParseResult().matchedOption("-m");
        return m == null ? "64M" : String.join(" ", m.originalStringValues());
    }

    private static Optional<String> kvmUnavailableReason(String device) {
        try (LinuxKvm kvm = LinuxKvm.open(Syscalls.linux(), device)) {
            return Optional.empty();
        } catch (org.jvmm.host.ErrnoException e) {
            return Optional.of(e.getMessage());
        }
    }

    private int printMemoryMap() {
        try (MachineMemory mem = new MachineMemory(new HostMemoryRegistry())) {
            X86ToyLayout layout = X86ToyLayout.build(mem, memory, out, status -> { });
            out.print(MemoryTreeFormatter.format(List.of(layout.memory(), layout.io())));
        }
        return 0;
    }

    /** The -host-device functions (or the default edu), each checked: driver, properties, address, size. */
    private void hostDevices(X86ToyBuilder builder) {
        List<DeviceOption> given = hostDevices.isEmpty() ? List.of(DeviceOption.parse("edu,host=" + DEFAULT_HOST)) : hostDevices;
        for (DeviceOption h : given) {
            if (mdevOptions.hostDevice(h, builder)) {
                continue; // an mdev parent (mtty, mbochs, medu)
            }
            String where = h.where("-host-device");
            HostDeviceConfig.Model model = switch (h.driver()) {
                case "edu" -> {
                    h.checkKnown("-host-device", List.of("host"));
                    yield HostDeviceConfig.Model.EDU;
                }
                case "edu-pasid" -> {
                    h.checkKnown("-host-device", List.of("host"));
                    yield HostDeviceConfig.Model.EDU_PASID;
                }
                case "ivshmem" -> {
                    h.checkKnown("-host-device", List.of("host", "size"));
                    yield HostDeviceConfig.Model.IVSHMEM;
                }
                default -> throw new UsageException(where + ": '" + h.driver() + "' is not a host device (known: edu, edu-pasid, ivshmem, mtty, mbochs, medu)");
            };
            long size = model == HostDeviceConfig.Model.IVSHMEM ? ivshmemSize(h) : 0;
            PciAddress address = h.pciAddress("-host-device", "host");
            builder.hostDevice(new HostDeviceConfig(model, address, size, where));
        }
    }

    /** The size= text as a number of bytes; the record checks the range. */
    private static long ivshmemSize(DeviceOption h) {
        String text = h.get("size", "1M");
        try {
            return SizeConverter.parse(text);
        } catch (CommandLine.TypeConversionException e) {
            throw new UsageException(h.where("-host-device") + ": Parameter 'size' expects a power of two from 4K to "
                    + (IVSHMEM_SIZE_MAX >> 30) + "G (a bare number is MiB): " + e.getMessage());
        }
    }

    /**
     * The -device vfio-pci devices (or the default), each checked: driver, properties, a host
     * function of the simulated host given once (QEMU: "device is already attached"), a free slot.
     */
    private void guestDevices(X86ToyBuilder builder) {
        List<DeviceOption> given = devices.isEmpty()
                ? List.of(DeviceOption.parse("vfio-pci,host=" + DEFAULT_HOST + ",addr=3")) : devices;
        int nextSlot = 3;
        for (DeviceOption d : given) {
            String where = d.where("-device");
            if (VtdOptions.isIntelIommu(d)) {
                vtdOptions.apply(d, builder);
                continue;
            }
            if (MdevOptions.isMdevDevice(d)) {
                int slot = d.has("addr") ? slot(d) : nextSlot;
                mdevOptions.guestDevice(d, slot, builder);
                nextSlot = slot + 1;
                continue;
            }
            if (VfioUserOptions.isVfioUser(d)) {
                int slot = d.has("addr") ? slot(d) : nextSlot;
                VfioUserOptions.guestDevice(d, slot, builder, spec.commandLine().getErr());
                nextSlot = slot + 1;
                continue;
            }
            if (!d.driver().equals("vfio-pci")) {
                throw new UsageException(where + ": '" + d.driver() + "' is not a valid device model name (known: vfio-pci)");
            }
            d.checkKnown("-device", List.of("host", "addr", "x-no-mmap", "iommufd"));
            PciAddress host = d.pciAddress("-device", "host");
            int slot = d.has("addr") ? slot(d) : nextSlot;
            builder.vfioPci(new VfioPciConfig(host, slot, d.onOff("-device", "x-no-mmap", false), where), IommufdOptions.iommufdOf(d));
            nextSlot = slot + 1;
        }
    }

    private static int slot(DeviceOption d) {
        String v = d.get("addr", "");
        try {
            return v.startsWith("0x") || v.startsWith("0X") ? Integer.parseInt(v.substring(2), 16) : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException(d.where("-device") + ": Parameter 'addr' expects a PCI slot from 1 to 31, not '" + v + "'");
        }
    }

    /** Reads the -kernel file and checks that x86-toy can boot it, before the machine exists. */
    private byte[] checkedKernel(Path path) {
        String where = "-kernel " + path;
        byte[] image;
        try {
            if (Files.isDirectory(path)) {
                throw new UsageException(where + ": is a directory, not an ELF image");
            }
            if (Files.exists(path) && !Files.isRegularFile(path)) {
                throw new UsageException(where + ": is not a regular file");
            }
            if (Files.exists(path) && Files.size(path) > Integer.MAX_VALUE - 8) {
                throw new UsageException(where + ": is larger than 2 GiB");
            }
            image = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new UsageException(where + ": no such file");
        } catch (AccessDeniedException e) {
            throw new UsageException(where + ": permission denied");
        } catch (IOException e) {
            throw new UsageException(where + ": cannot be read (" + e.getMessage() + ")");
        }
        try {
            X86ToyMachine.checkImage(image, memory);
        } catch (ElfFormatException e) {
            throw new UsageException(where + ": " + e.getMessage());
        }
        return image;
    }

    private int runGuest(byte[] image, long argument, X86ToyBuilder builder) throws Exception {
        if (monitor.active() || monitor.startPaused()) {
            return org.jvmm.qmp.MonitoredRun.runX86(monitor, builder, image, argument, Duration.ofSeconds(timeoutSeconds), out,
                    m -> mdevOptions.atExit(m, builder, out));
        }
        try (X86ToyMachine m = builder.build()) {
            m.boot(image, argument);
            X86ToyMachine.RunResult r = m.run(Duration.ofSeconds(timeoutSeconds), null);
            out.flush();
            out.println();
            out.println("jvmm: " + r.stopReason()
                    + (r.exitStatus() != null ? " (status 0x" + Integer.toHexString(r.exitStatus()) + ")" : ""));
            out.print(m.summary().format());
            mdevOptions.atExit(m, builder, out);
            VtdOptions.atExit(m, out);
            return r.exitedWith(1) ? 0 : 1;
        }
    }

    /** The edu DMA guest that ships with the tree; missing means a broken install (status 1), not a bad option. */
    private static byte[] defaultKernel() throws IOException {
        String home = System.getProperty("jvmm.home", ".");
        Path p = Path.of(home, "guest-tests", "images", "x86", "edu-dma.elf");
        try {
            return Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            throw new IOException("the default guest image " + p + " is missing (give one with -kernel ELF)", e);
        }
    }

    /** Runs the command line and returns the exit status. */
    public static int run(PrintStream out, PrintStream err, String... args) {
        CommandLine cl = new CommandLine(new Main(out));
        if (mayNameASubcommand(args)) {
            cl.addSubcommand(org.jvmm.journal.JournalCommand.class);
            cl.addSubcommand(ServeDevice.class);
        }
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        cl.setParameterExceptionHandler((e, given) -> {
            String message = e.getMessage();
            if (e.getCause() instanceof CommandLine.TypeConversionException bad
                    && e.getArgSpec() instanceof CommandLine.Model.OptionSpec option) {
                message = option.names()[0] + ": " + bad.getMessage(); // the option as QEMU spells it, e.g. -timeout
            }
            e.getCommandLine().getErr().println("vmm: " + message);
            e.getCommandLine().getErr().println("'vmm --help' lists the options.");
            return 2;
        });
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("vmm: " + e.getMessage());
            return e instanceof IllegalArgumentException ? 2 : 1;
        });
        return cl.execute(args);
    }

    /**
     * False for a command line that only prints (help, version, a journal's reading): those do not
     * need the C library linked ahead ({@link #main}).
     */
    static boolean runsAMachine(String[] args) {
        for (String a : args) {
            if (a.equals("-h") || a.equals("--help") || a.equals("-V") || a.equals("--version") || a.equals("journal")) {
                return false;
            }
        }
        return true;
    }

    /**
     * True for a command line that names a machine on the soft CPU ({@code -M pseries...}), which
     * makes no KVM call: only host memory and eventfds are linked ahead ({@link #main}).
     */
    static boolean onSoftCpu(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String machine = (a.equals("-M") || a.equals("--machine")) && i + 1 < args.length ? args[i + 1]
                    : a.startsWith("--machine=") ? a.substring("--machine=".length())
                    : a.startsWith("-M") && !a.equals("-M") ? a.substring(2) : null;
            if (machine != null) {
                return machine.equals("pseries") || machine.startsWith("pseries,");
            }
        }
        return false;
    }

    /**
     * False for a command line that runs a machine and names no subcommand: picocli then reads the
     * annotations of five command classes fewer (about 30 ms of a pseries boot, measured). Help and
     * version list the subcommands; a misspelt one is refused with the same message either way.
     */
    static boolean mayNameASubcommand(String[] args) {
        for (String a : args) {
            if (a.equals("journal") || a.equals("serve-device")) {
                return true;
            }
        }
        return !runsAMachine(args);
    }

    static {
        org.jvmm.journal.JournalCommand.runner(args -> run(System.out, System.err, args));
    }

    /**
     * Starts linking the C library functions a command line's machine will call, on a daemon thread,
     * while picocli parses; nothing for one that only prints. The start-up cache's training does
     * the same, so that the classes involved come from the cache.
     */
    static void linkAhead(String[] args) {
        if (runsAMachine(args)) {
            org.jvmm.host.sys.Syscalls.linkLinuxInBackground(!onSoftCpu(args));
        }
    }

    public static void main(String[] args) {
        linkAhead(args);
        int status = run(System.out, System.err, args);
        if (status != 0 || anotherThreadKeepsTheJvmUp(liveThreads(), Thread.currentThread())) {
            System.exit(status);
        }
        // Status 0 and only daemon threads left: the JVM ends with status 0 when main returns, and runs
        // the shutdown hooks as System.exit would. System.exit also asks for a platform logger (to log
        // the exit at DEBUG), and the first such request looks for a LoggerFinder in every jar of the
        // class path: 54 jars opened, about 30 ms of a 0.5 s pseries boot (measured).
    }

    /** The live platform threads, or null when more appeared while they were counted. */
    private static Thread[] liveThreads() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] threads = new Thread[root.activeCount() + 16];
        int n = root.enumerate(threads, true);
        return n < threads.length ? java.util.Arrays.copyOf(threads, n) : null;
    }

    /** True when {@code threads} (null: unknown) hold a live thread other than {@code self} that is not a daemon. */
    static boolean anotherThreadKeepsTheJvmUp(Thread[] threads, Thread self) {
        if (threads == null) {
            return true;
        }
        for (Thread t : threads) {
            if (t != self && !t.isDaemon() && t.isAlive()) {
                return true;
            }
        }
        return false;
    }
}
