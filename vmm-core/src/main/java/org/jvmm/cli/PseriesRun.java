package org.jvmm.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jvmm.machine.fdt.Fdt;
import org.jvmm.host.kernel.PowerHost;
import org.jvmm.machine.config.MemoryConfig;
import org.jvmm.machine.config.PseriesConfig;
import org.jvmm.machine.pseries.PseriesBoot;
import org.jvmm.machine.pseries.PseriesBuilder;
import org.jvmm.machine.pseries.PseriesMachine;
import org.jvmm.qtest.QtestLauncher;

/**
 * {@code ./vmm -M pseries[,kvm-tce=on|off][,link=...][,dumpdtb=FILE][,x-vof=on] [-m SIZE]
 * (-bios IMAGE | -kernel ELF [-append CMDLINE]) [-device ...] [-host-device ...] [-timeout S]},
 * QEMU 7.2's meaning: the firmware image at 0, entered at 0x100 big-endian with the device tree's
 * address in r3 ({@link PseriesBoot}), or the ELF booted as with QEMU's x-vof=on ({@link VofKernel};
 * the client interface's exit ends the run with status 0); the
 * POWER host's edu given through vfio-pci in the first free slot (0) with its BARs unassigned;
 * the guest's vty on standard output. RTAS power-off ends the run with status 0, ibm,os-term with
 * status 1 and the guest's message, system-reboot resets the machine and boots the image again.
 * {@code dumpdtb=FILE} writes the device tree and exits, as QEMU does. {@code -qtest} keeps
 * running scripts on the scripted CPU. Default RAM: 512 MiB (QEMU's).
 */
final class PseriesRun {
    /** QEMU's default RAM for pseries. */
    static final long DEFAULT_RAM = 512L << 20;

    /** The options as the command line parsed them. */
    record Options(String machine, Long memory, String memoryText, Path bios, Path kernel, String append,
                   List<DeviceOption> devices, List<DeviceOption> hostDevices, long timeoutSeconds, boolean timeoutGiven,
                   String qtest, List<String> x86Only) {
    }

    private PseriesRun() {
    }

    static int run(Options o, PrintStream out, PrintStream err) throws IOException {
        if (!o.x86Only().isEmpty()) {
            throw new UsageException(o.x86Only().getFirst() + ": means nothing with -M pseries; x86-toy only");
        }
        List<String> rest = new ArrayList<>();
        String dumpdtb = null;
        for (String part : o.machine().split(",", -1)) {
            if (part.equals("x-vof=on")) {
                continue; // jvmm serves the client interface for every -kernel (VofKernel)
            } else if (part.startsWith("x-vof=")) {
                throw new UsageException("-M " + o.machine() + ": " + part + ": jvmm has no SLOF; its pseries takes only"
                        + " x-vof=on (the client interface served in the VMM)");
            } else if (part.startsWith("dumpdtb=")) {
                dumpdtb = part.substring("dumpdtb=".length());
                if (dumpdtb.isEmpty()) {
                    throw new UsageException("-M " + o.machine() + ": Parameter 'dumpdtb' expects a file name");
                }
            } else {
                rest.add(part);
            }
        }
        PseriesConfig options = PseriesConfig.parse(String.join(",", rest));
        if (o.qtest() != null) {
            return qtest(o, options, out);
        }
        VofKernel kernel = o.kernel() == null ? null : VofKernel.read(o.kernel(), o.bios());
        if (o.append() != null && kernel == null) {
            throw new UsageException("-append " + o.append() + ": only allowed with -kernel option (as QEMU)");
        }
        if (o.bios() == null && kernel == null && dumpdtb == null) {
            throw new UsageException("-M " + o.machine() + ": boots -bios IMAGE or -kernel ELF (or writes dumpdtb=FILE), or"
                    + " runs -qtest stdio|FILE");
        }
        byte[] image = o.bios() == null ? new byte[0] : readImage(o.bios());
        long ram = o.memory() == null ? DEFAULT_RAM : o.memory();
        String memoryOrigin = o.memory() == null ? "-m 512M" : "-m " + o.memoryText();
        if (ram < 2 * PseriesBoot.FDT_MAX_SIZE + image.length || ram < (16L << 20)) {
            throw new UsageException(memoryOrigin + ": pseries needs at least 16M, room for the firmware and the 1 MiB"
                    + " device tree below it");
        }
        int slot = devices(o);
        hostDevices(o);
        PseriesBuilder b = new PseriesBuilder(new MemoryConfig(ram, memoryOrigin)).options(options).ppcCpu(false)
                .console(out);
        if (slot < 0) {
            b.withoutEdu();
        } else {
            b.eduUnassigned(slot);
        }
        try (PseriesMachine m = b.build()) {
            if (dumpdtb != null) {
                Files.write(Path.of(dumpdtb), Fdt.write(m.deviceTree(null, null)));
                err.println("vmm: info: dtb dumped to " + dumpdtb + ". Exiting.");
                return 0;
            }
            if (kernel != null) {
                return boot(m, kernel.booter(m, o.append()), o.timeoutSeconds(), out);
            }
            return boot(m, () -> PseriesBoot.bootFirmware(m, image), null, o.timeoutSeconds(), out);
        }
    }

    private static int boot(PseriesMachine m, VofKernel.Booter kernel, long timeoutSeconds, PrintStream out) {
        return boot(m, kernel::boot, kernel, timeoutSeconds, out);
    }

    private static int boot(PseriesMachine m, Runnable load, VofKernel.Booter kernel, long timeoutSeconds, PrintStream out) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        load.run();
        Thread timer = Thread.ofPlatform().daemon().name("pseries-timeout").start(() -> {
            long left;
            while ((left = deadline - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(left);
                } catch (InterruptedException e) {
                    return;
                }
            }
            m.vcpu().kick();
        });
        try {
            while (true) {
                PseriesMachine.Stop stop = m.run(deadline);
                String line;
                int status;
                switch (stop) {
                    case REBOOT -> {
                        m.reset();
                        load.run();
                        continue;
                    }
                    case POWER_OFF -> {
                        line = kernel != null && kernel.exited() ? VofKernel.EXIT_LINE : "the guest powered off (RTAS power-off)";
                        status = 0;
                    }
                    case OS_TERM -> {
                        line = "the guest terminated (RTAS ibm,os-term): OS terminated: " + m.power().osTermMessage();
                        status = 1;
                    }
                    case CPU_FAILED -> {
                        line = "the guest stopped: the CPU cannot go on: " + m.failure();
                        status = 1;
                    }
                    case TIMEOUT -> {
                        line = "the guest did not power off within the time limit (-timeout)";
                        status = 1;
                    }
                    default -> throw new IllegalStateException("pseries run stopped with " + stop);
                }
                out.flush();
                out.println();
                out.println("jvmm: " + line);
                out.print(m.summary().format());
                out.println("reboots        " + m.power().reboots());
                return status;
            }
        } finally {
            timer.interrupt();
        }
    }

    private static int qtest(Options o, PseriesConfig options, PrintStream out) throws IOException {
        List<String> given = new ArrayList<>();
        if (o.bios() != null) {
            given.add("-bios " + o.bios());
        }
        if (o.kernel() != null) {
            given.add("-kernel " + o.kernel());
        }
        if (o.append() != null) {
            given.add("-append " + o.append());
        }
        o.devices().forEach(d -> given.add(d.where("-device")));
        o.hostDevices().forEach(d -> given.add(d.where("-host-device")));
        if (o.timeoutGiven()) {
            given.add("-timeout " + o.timeoutSeconds());
        }
        if (!given.isEmpty()) {
            throw new UsageException(given.getFirst() + ": means nothing with -qtest (the script drives the CPU of a"
                    + " fixed machine: the POWER host's edu in slot " + PseriesBuilder.EDU_SLOT + ")");
        }
        PseriesBuilder builder = new PseriesBuilder(new MemoryConfig(o.memory() == null ? 64L << 20 : o.memory(),
                "-m " + (o.memory() == null ? "64M" : o.memoryText())));
        return QtestLauncher.run(builder.options(options), o.qtest(), System.in, out);
    }

    /** The -device list: at most the POWER host's edu through vfio-pci; its slot, or -1 for none. */
    private static int devices(Options o) {
        if (o.devices().isEmpty()) {
            return 0;
        }
        if (o.devices().size() > 1) {
            throw new UsageException(o.devices().get(1).where("-device") + ": the POWER host has one function, its edu at "
                    + PowerHost.EDU + ", given once");
        }
        DeviceOption d = o.devices().getFirst();
        String where = d.where("-device");
        if (!d.driver().equals("vfio-pci")) {
            throw new UsageException(where + ": '" + d.driver() + "' is not a valid device model name (known: vfio-pci)");
        }
        d.checkKnown("-device", List.of("host", "addr"));
        if (!d.pciAddress("-device", "host").equals(PowerHost.EDU)) {
            throw new UsageException(where + ": no such host function; the POWER host's edu is at " + PowerHost.EDU);
        }
        if (!d.has("addr")) {
            return 0;
        }
        String v = d.get("addr", "");
        try {
            int slot = v.startsWith("0x") || v.startsWith("0X") ? Integer.parseInt(v.substring(2), 16) : Integer.parseInt(v);
            if (slot < 0 || slot > 31) {
                throw new NumberFormatException();
            }
            return slot;
        } catch (NumberFormatException e) {
            throw new UsageException(where + ": Parameter 'addr' expects a PCI slot from 0 to 31, not '" + v + "'");
        }
    }

    /** -host-device on pseries: the POWER host is fixed; only its own edu may be named. */
    private static void hostDevices(Options o) {
        for (DeviceOption h : o.hostDevices()) {
            String where = h.where("-host-device");
            if (!h.driver().equals("edu") || !h.pciAddress("-host-device", "host").equals(PowerHost.EDU)) {
                throw new UsageException(where + ": the POWER host's functions are fixed (edu,host=" + PowerHost.EDU + ")");
            }
            h.checkKnown("-host-device", List.of("host"));
        }
    }

    private static byte[] readImage(Path path) {
        String where = "-bios " + path;
        try {
            if (Files.isDirectory(path)) {
                throw new UsageException(where + ": is a directory, not a firmware image");
            }
            if (Files.exists(path) && Files.size(path) > PseriesBoot.FW_MAX_SIZE) {
                throw new UsageException(where + ": is larger than the 4 MiB QEMU loads as pseries firmware");
            }
            return Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new UsageException(where + ": no such file");
        } catch (AccessDeniedException e) {
            throw new UsageException(where + ": permission denied");
        } catch (IOException e) {
            throw new UsageException(where + ": cannot be read (" + e.getMessage() + ")");
        }
    }
}
