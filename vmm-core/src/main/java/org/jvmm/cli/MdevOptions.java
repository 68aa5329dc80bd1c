package org.jvmm.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jvmm.devices.mbochs.MbochsDevice;
import org.jvmm.devices.medu.MeduDevice;
import org.jvmm.hw.display.ScreenDump;
import org.jvmm.machine.config.MdevConfig;
import org.jvmm.machine.config.MdevParentConfig;
import org.jvmm.machine.config.VfioMdevConfig;
import org.jvmm.machine.x86.X86ToyBuilder;
import org.jvmm.machine.x86.X86ToyMachine;
import org.jvmm.vfio.iommu.Type1Iommu;
import picocli.CommandLine.Option;

/**
 * The command line's mediated-device options (a picocli mixin of {@link Main}), in QEMU's and
 * mdevctl's words:
 * <ul>
 * <li>{@code -host-device mtty}, {@code -host-device mbochs[,pool=MIB]},
 *     {@code -host-device medu[,max-instances=N][,forget-unpin=on]}: a sample vendor driver as an
 *     mdev parent of the simulated host (loaded with its defaults when an {@code -mdev} needs it);</li>
 * <li>{@code -mdev TYPE,uuid=UUID[,front=mainline|seed]}: an mdev created before the machine
 *     starts, as {@code mdevctl start -u UUID -p PARENT -t TYPE} or seed 003's {@code vgpu_create};</li>
 * <li>{@code -device vfio-pci,sysfsdev=/sys/bus/mdev/devices/UUID[,addr=SLOT][,display=on|off|auto]}:
 *     the mdev given to the guest (QEMU's form);</li>
 * <li>{@code -screendump FILE}: at exit, the display written as QEMU's screendump (PNG for a
 *     {@code .png} name, PPM otherwise).</li>
 * </ul>
 * Bad values are refused naming the option and the value.
 */
@picocli.CommandLine.Command(addMethodSubcommands = false) // a mixin: no method of it is a subcommand
final class MdevOptions {
    static final String SYSFS_MDEV = "/sys/bus/mdev/devices/";

    @Option(names = {"-mdev", "--mdev"}, paramLabel = "TYPE,uuid=UUID", converter = DeviceOption.Converter.class,
            description = "Create an mdev on the simulated host before the guest starts: TYPE is mtty-1, mtty-2, "
                    + "mbochs-small, mbochs-medium, mbochs-large, medu-pin or medu-rw; uuid= names it; "
                    + "front=seed creates it through seed 003's vgpu_create (default mainline). Repeatable. "
                    + "Give it to the guest with -device vfio-pci,sysfsdev=/sys/bus/mdev/devices/UUID[,display=on].")
    List<DeviceOption> mdevs = new ArrayList<>();

    @Option(names = {"-mdev-migrate", "--mdev-migrate"}, paramLabel = "FROM,to=TO[,checkpoint=N]", converter = DeviceOption.Converter.class,
            description = "When the guest passes checkpoint N (default 1), stop the guest's mdev FROM (RUNNING -> STOP_COPY), "
                    + "read its state image, swap in the fresh mdev TO of the same type (an -mdev the guest does not have), "
                    + "resume it from the image (RESUMING -> RUNNING) and restore the BARs: VFIO migration v2 (mtty).")
    DeviceOption migrate;

    @Option(names = {"-screendump", "--screendump"}, paramLabel = "FILE",
            description = "At exit, write the display (a device given with display=on) to FILE: PNG for a .png name, "
                    + "else PPM (as QEMU's screendump).")
    Path screendump;

    /** Handles an mdev parent {@code -host-device}; false when {@code h} is no mdev parent. */
    boolean hostDevice(DeviceOption h, X86ToyBuilder builder) {
        MdevParentConfig.Driver d = MdevParentConfig.Driver.of(h.driver());
        if (d == null) {
            return false;
        }
        String where = h.where("-host-device");
        MdevParentConfig p = switch (d) {
            case MTTY -> {
                h.checkKnown("-host-device", List.of());
                yield MdevParentConfig.defaults(d, where);
            }
            case MBOCHS -> {
                h.checkKnown("-host-device", List.of("pool"));
                yield new MdevParentConfig(d, number(h, "pool", 256), 0, false, where);
            }
            case MEDU -> {
                h.checkKnown("-host-device", List.of("max-instances", "forget-unpin"));
                yield new MdevParentConfig(d, 0, number(h, "max-instances", 4), h.onOff("-host-device", "forget-unpin", false), where);
            }
        };
        builder.mdev().parent(p);
        return true;
    }

    private static int number(DeviceOption h, String key, int fallback) {
        String v = h.get(key, null);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException(h.where("-host-device") + ": Parameter '" + key + "' expects a whole number, not '" + v + "'");
        }
    }

    /** Adds every {@code -mdev} to the builder. */
    void apply(X86ToyBuilder builder) {
        for (DeviceOption m : mdevs) {
            String where = m.where("-mdev");
            m.checkKnown("-mdev", List.of("uuid", "front"));
            String uuid = m.require("-mdev", "uuid");
            MdevConfig.Front front = MdevConfig.Front.parse(m.get("front", "mainline"), where);
            builder.mdev().mdev(new MdevConfig(m.driver(), MdevConfig.parseUuid(uuid, where), front, where));
        }
    }

    /** Adds the {@code -mdev-migrate}, if any (after the -mdev and -device options). */
    void applyMigrate(X86ToyBuilder builder) {
        if (migrate == null) {
            return;
        }
        String where = migrate.where("-mdev-migrate");
        migrate.checkKnown("-mdev-migrate", List.of("to", "checkpoint"));
        String from = MdevConfig.parseUuid(migrate.driver(), where).toString();
        String to = MdevConfig.parseUuid(migrate.require("-mdev-migrate", "to"), where).toString();
        String n = migrate.get("checkpoint", "1");
        int checkpoint;
        try {
            checkpoint = Integer.parseInt(n);
        } catch (NumberFormatException e) {
            throw new UsageException(where + ": Parameter 'checkpoint' expects a whole number, not '" + n + "'");
        }
        try {
            builder.mdev().migrate(new org.jvmm.machine.x86.MdevMigration.Config(from, to, checkpoint, where));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** True for a {@code -device vfio-pci,sysfsdev=...}. */
    static boolean isMdevDevice(DeviceOption d) {
        return d.driver().equals("vfio-pci") && d.has("sysfsdev");
    }

    /** A {@code -device vfio-pci,sysfsdev=/sys/bus/mdev/devices/UUID[,display=...]} in {@code slot}. */
    void guestDevice(DeviceOption d, int slot, X86ToyBuilder builder) {
        String where = d.where("-device");
        d.checkKnown("-device", List.of("sysfsdev", "addr", "display"));
        String path = d.require("-device", "sysfsdev");
        String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        if (!p.startsWith(SYSFS_MDEV) || p.indexOf('/', SYSFS_MDEV.length()) >= 0) {
            throw new UsageException(where + ": Parameter 'sysfsdev' expects " + SYSFS_MDEV + "UUID, not '" + path + "'");
        }
        String uuid = MdevConfig.parseUuid(p.substring(SYSFS_MDEV.length()), where).toString();
        VfioMdevConfig.Display display = VfioMdevConfig.Display.parse(d.get("display", "off"), where);
        builder.vfioMdev(new VfioMdevConfig(uuid, slot, display, where));
    }

    /** At exit: the screen dump asked for, and the mdevs' counters, printed after the summary. */
    void atExit(X86ToyMachine m, X86ToyBuilder builder, PrintStream out) throws IOException {
        if (builder.mdev().bus() == null) {
            return;
        }
        for (Object v : builder.mdev().vendorDevices()) {
            if (v instanceof MbochsDevice b) {
                out.println("mdev mbochs: video memory faulted in " + b.faultIns() + " time(s), revoked " + b.revocations()
                        + ", " + b.pagesPresent() + " page(s) present");
            } else if (v instanceof MeduDevice e) {
                out.println("mdev medu (" + e.mode() + "): " + e.pinnedPages() + " page(s) pinned now, " + e.notifications()
                        + " dma_unmap notification(s), " + e.dmaFaults() + " DMA fault(s)");
            }
        }
        if (m.vfio() != null && m.vfio().container().backend() instanceof Type1Iommu t) {
            Type1Iommu.MdevCounters c = t.mdevCounters();
            out.println("TYPE1 mdev: " + c.pinCalls() + " pin call(s), " + c.unpinCalls() + " unpin call(s), "
                    + c.notificationRounds() + " notification round(s)");
        }
        if (builder.mdev().migration() != null) {
            List<String> lines = builder.mdev().migration().report();
            if (lines.isEmpty()) {
                out.println("mdev migration: the guest never passed its checkpoint");
            }
            lines.forEach(out::println);
        }
        if (screendump != null) {
            try {
                m.screendump(screendump, ScreenDump.Format.ofFileName(screendump));
                out.println("screendump: " + screendump);
            } catch (IllegalStateException e) {
                out.println("screendump: not written: " + e.getMessage());
            }
        }
    }
}
