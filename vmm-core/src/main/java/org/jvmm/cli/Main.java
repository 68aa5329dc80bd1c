package org.jvmm.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.devices.ivshmem.IvshmemPlainDevice;
import org.jvmm.host.kernel.HostKernel;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.sys.Syscalls;
import org.jvmm.kvm.linux.LinuxKvm;
import org.jvmm.machine.MachineMemory;
import org.jvmm.machine.x86.X86ToyLayout;
import org.jvmm.machine.x86.X86ToyMachine;
import org.jvmm.memory.MemoryTreeFormatter;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.host.memory.LockedMemoryAccount;
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
        description = {"jvmm: a QEMU-style VMM over an in-process model of Linux VFIO.",
                "With no options: runs the edu DMA guest on KVM with an edu device given through vfio-pci, "
                        + "prints what the guest printed, then a summary of what the VMM saw."},
        exitCodeListHeading = "Exit status:%n",
        exitCodeList = {"0:the guest passed (it wrote 0 to the exit port), or an --info report was printed",
                "1:the guest reported a failure, or stopped without reporting",
                "2:bad options", "3:this host cannot run the machine (no usable /dev/kvm)"})
public final class Main implements Callable<Integer> {
    static final String DEFAULT_HOST = "0000:00:03.0";

    @Option(names = {"-M", "--machine"}, paramLabel = "NAME", defaultValue = "x86-toy",
            description = "Machine type: x86-toy (default), or pseries[,kvm-tce=on|off][,link=mainline|seed] "
                    + "with -qtest (default: ${DEFAULT-VALUE}).")
    String machine;

    @Option(names = {"-m", "--memory"}, paramLabel = "SIZE", defaultValue = "64M", converter = SizeConverter.class,
            description = "Guest RAM, e.g. 64M or 1G; a bare number is MiB (default: ${DEFAULT-VALUE}).")
    long memory;

    @Option(names = {"-kernel", "--kernel"}, paramLabel = "ELF",
            description = "x86-64 ELF image to boot in long mode (default: the edu DMA guest, "
                    + "guest-tests/images/x86/edu-dma.elf).")
    Path kernel;

    @Option(names = "-qtest", paramLabel = "stdio|FILE",
            description = "With -M pseries: run a qtest-like script from stdin or FILE (see README).")
    String qtest;

    @Option(names = {"-append", "--append"}, paramLabel = "N", defaultValue = "0",
            description = "Number passed to the guest's entry in RDI (default: ${DEFAULT-VALUE}).")
    long argument;

    @Option(names = {"-device", "--device"}, paramLabel = "DEV", converter = DeviceOption.Converter.class,
            description = "A guest device: vfio-pci,host=DDDD:BB:DD.F[,addr=SLOT][,x-no-mmap=on]. Repeatable. "
                    + "Default: vfio-pci,host=" + DEFAULT_HOST + ",addr=3.")
    List<DeviceOption> devices = new ArrayList<>();

    @Option(names = {"-host-device", "--host-device"}, paramLabel = "DEV", converter = DeviceOption.Converter.class,
            description = "A function of the simulated host, bound to vfio-pci: edu,host=ADDR or "
                    + "ivshmem,host=ADDR,size=SIZE. Repeatable. Default: edu,host=" + DEFAULT_HOST + ".")
    List<DeviceOption> hostDevices = new ArrayList<>();

    @Option(names = {"-timeout", "--timeout"}, paramLabel = "SECONDS", defaultValue = "60",
            description = "Stop the guest after this many seconds (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Option(names = "--info", paramLabel = "WHAT",
            description = "Print a report instead of running: mtree (the memory map, as QEMU's info mtree -f).")
    String info;

    @Option(names = "--kvm-device", paramLabel = "PATH", defaultValue = LinuxKvm.DEVICE, hidden = true,
            description = "The KVM device node (default: ${DEFAULT-VALUE}).")
    String kvmDevice;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final PrintStream out;

    Main(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        if (qtest != null || machine.startsWith("pseries")) {
            if (qtest == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "-M pseries runs with -qtest stdio|FILE");
            }
            return org.jvmm.qtest.QtestLauncher.run(machine, memory, qtest, System.in, out);
        }
        if (!machine.equals("x86-toy")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "unknown machine '" + machine + "'; known: x86-toy, pseries");
        }
        if (info != null) {
            if (!info.equals("mtree")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "unknown --info '" + info + "'; known: mtree");
            }
            return printMemoryMap();
        }
        Optional<String> noKvm = kvmUnavailableReason(kvmDevice);
        if (noKvm.isPresent()) {
            spec.commandLine().getErr().println("vmm: cannot run x86-toy here: " + noKvm.get() + ". The x86-toy machine"
                    + " needs KVM (hardware virtualization through /dev/kvm, read-write for this user). "
                    + "'./vmm --info mtree' shows the machine without running it.");
            return 3;
        }
        return runGuest();
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

    private int runGuest() throws Exception {
        byte[] image = Files.readAllBytes(kernel != null ? kernel : defaultKernel());
        HostMemoryRegistry registry = new HostMemoryRegistry();
        List<HostMapping> sharedMemory = new ArrayList<>();
        HostPciPlatform platform = hostPlatform(registry, sharedMemory);
        try (X86ToyMachine m = X86ToyMachine.create(registry, memory, out, kvmDevice)) {
            List<DeviceOption> guestDevices = devices.isEmpty()
                    ? List.of(DeviceOption.parse("vfio-pci,host=" + DEFAULT_HOST + ",addr=3")) : devices;
            int nextSlot = 3;
            for (DeviceOption d : guestDevices) {
                if (!d.driver().equals("vfio-pci")) {
                    throw new IllegalArgumentException("-device " + d.driver() + ": unknown device; known: vfio-pci");
                }
                int slot = Integer.decode(d.get("addr", Integer.toString(nextSlot)));
                boolean noMmap = d.get("x-no-mmap", "off").equals("on");
                m.addVfioPci(platform, PciAddress.parse(d.require("host")), slot, noMmap);
                nextSlot = slot + 1;
            }
            m.boot(image, argument);
            X86ToyMachine.RunResult r = m.run(Duration.ofSeconds(timeoutSeconds), null);
            out.flush();
            out.println();
            out.println("jvmm: " + r.stopReason()
                    + (r.exitStatus() != null ? " (status 0x" + Integer.toHexString(r.exitStatus()) + ")" : ""));
            out.print(m.summary().format());
            return r.exitedWith(1) ? 0 : 1;
        } finally {
            sharedMemory.forEach(HostMapping::close);
        }
    }

    private HostPciPlatform hostPlatform(HostMemoryRegistry registry, List<HostMapping> sharedMemory) {
        HostKernel.Builder b = HostKernel.builder().memory(registry)
                .memlock(new LockedMemoryAccount(Math.max(memory * 2, 64L << 20), false));
        List<DeviceOption> hosts = hostDevices.isEmpty() ? List.of(DeviceOption.parse("edu,host=" + DEFAULT_HOST))
                : hostDevices;
        for (DeviceOption h : hosts) {
            String addr = PciAddress.parse(h.require("host")).toString();
            switch (h.driver()) {
                case "edu" -> b.endpoint(addr, new EduDevice(), HostPciPlatform.VFIO_PCI, true);
                case "ivshmem" -> {
                    HostMapping shared = registry.allocate("ivshmem@" + addr, SizeConverter.parse(h.get("size", "1M")));
                    sharedMemory.add(shared);
                    b.endpoint(addr, new IvshmemPlainDevice(shared), HostPciPlatform.VFIO_PCI, true);
                }
                default -> throw new IllegalArgumentException("-host-device " + h.driver()
                        + ": unknown host device; known: edu, ivshmem");
            }
        }
        return b.build();
    }

    private static Path defaultKernel() {
        String home = System.getProperty("jvmm.home", ".");
        return Path.of(home, "guest-tests", "images", "x86", "edu-dma.elf");
    }

    /** Runs the command line and returns the exit status. */
    public static int run(PrintStream out, PrintStream err, String... args) {
        CommandLine cl = new CommandLine(new Main(out));
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("vmm: " + e.getMessage());
            return e instanceof IllegalArgumentException ? 2 : 1;
        });
        return cl.execute(args);
    }

    public static void main(String[] args) {
        System.exit(run(System.out, System.err, args));
    }
}
