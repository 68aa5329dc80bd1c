package org.jvmm.machine.x86;

import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.jvmm.pci.PciRegs;
import org.jvmm.hw.vfio.VfioPciDevice;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.vfio.MigrationFile;
import org.jvmm.vfio.VfioDevice;
import org.jvmm.vfio.mdev.MdevBus;
import org.jvmm.vfio.mdev.MdevDevice;
import org.jvmm.vfio.uapi.DeviceFeature;

/**
 * An mdev migrated inside one machine at a guest checkpoint, the way a VMM moves a VFIO
 * device with the v2 migration uAPI: when the guest passes checkpoint {@code n}, the guest's mdev
 * {@code from} is stopped (RUNNING to STOP_COPY through VFIO_DEVICE_FEATURE) and its state image
 * read from the data fd; the device is unplugged; the mdev {@code to} (created on the host
 * beforehand, of the same type) is plugged into the same slot, taken RUNNING to RESUMING, given
 * the image through its data fd and taken to RUNNING; then the guest-visible config space the
 * VMM emulates (command and BARs) is restored on it, as QEMU's vfio_pci_load_config does. The
 * guest continues on the new device with the old one's UART state and pending bytes.
 *
 * <p>A failure is reported (the guest then sees whatever device is plugged) and never escapes
 * into the vCPU loop. Runs on the vCPU thread inside the checkpoint exit.
 */
public final class MdevMigration {
    /** {@code -mdev-migrate FROM,to=TO[,checkpoint=N]}. */
    public record Config(String from, String to, int checkpoint, String origin) {
    }

    private final Config config;
    private final List<String> report = new ArrayList<>();

    private MdevMigration(Config config) {
        this.config = config;
    }

    /** What happened, one line each (empty until the checkpoint is passed). */
    public synchronized List<String> report() {
        return List.copyOf(report);
    }

    /** Hooks the migration to {@code machine}'s checkpoint port. */
    static MdevMigration install(Config c, X86ToyMachine machine, HostPciPlatform platform, MdevBus bus) {
        MdevMigration mig = new MdevMigration(c);
        machine.layout().checkpoint().setHandler(n -> {
            if (n == c.checkpoint()) {
                mig.migrate(machine, platform, bus);
            }
        });
        return mig;
    }

    private synchronized void migrate(X86ToyMachine machine, HostPciPlatform platform, MdevBus bus) {
        String step = "finding vfio-" + config.from();
        try {
            VfioPciDevice old = null;
            for (VfioPciDevice d : machine.vfioDevices()) {
                if (d.name().equals("vfio-" + config.from())) {
                    old = d;
                }
            }
            MdevDevice target = bus.device(config.to());
            if (old == null || target == null) {
                report.add("mdev migration at checkpoint " + config.checkpoint() + ": not done: "
                        + (old == null ? config.from() + " is not plugged" : "no mdev " + config.to() + " on the host"));
                return;
            }
            int slot = old.devfn().device();
            int command = old.configRead(PciRegs.COMMAND, 2);
            int[] bars = new int[PciRegs.BAR_COUNT];
            for (int i = 0; i < bars.length; i++) {
                bars[i] = old.configRead(PciRegs.BASE_ADDRESS_0 + 4 * i, 4);
            }
            step = "saving " + config.from();
            VfioDevice src = old.vfioDevice();
            byte[] image;
            try (MigrationFile out = setState(src, VFIO_DEVICE_STATE_STOP_COPY)) {
                image = readAll(out);
            }
            report.add("mdev migration at checkpoint " + config.checkpoint() + ": " + config.from() + " RUNNING -> STOP_COPY, "
                    + image.length + "-byte state image" + header(image));
            step = "unplugging " + config.from();
            machine.removeVfioPci(old);
            step = "plugging " + config.to();
            VfioPciDevice nu = machine.addVfioMdev(platform, target.name(), target.iommuGroupNumber(), slot, false, false);
            step = "resuming " + config.to();
            VfioDevice dst = nu.vfioDevice();
            try (MigrationFile in = setState(dst, VFIO_DEVICE_STATE_RESUMING)) {
                in.write(MemorySegment.ofArray(image));
            }
            setState(dst, VFIO_DEVICE_STATE_RUNNING);
            for (int i = 0; i < bars.length; i++) {
                nu.configWrite(PciRegs.BASE_ADDRESS_0 + 4 * i, 4, bars[i]);
            }
            nu.configWrite(PciRegs.COMMAND, 2, command);
            report.add("mdev migration at checkpoint " + config.checkpoint() + ": " + config.to() + " RESUMING -> RUNNING from the image, "
                    + "swapped into slot " + slot + " (BARs and command restored)");
        } catch (RuntimeException e) {
            report.add("mdev migration at checkpoint " + config.checkpoint() + ": failed " + step + ": " + e.getMessage());
        }
    }

    /** MIG_DEVICE_STATE SET: the data fd, or null. */
    private static MigrationFile setState(VfioDevice d, int state) {
        return d.feature(DeviceFeature.migState(VFIO_DEVICE_FEATURE_SET, state));
    }

    private static byte[] readAll(MigrationFile f) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MemorySegment buf = MemorySegment.ofArray(new byte[4096]);
        long n;
        while ((n = f.read(buf)) > 0) {
            out.write(buf.toArray(ValueLayout.JAVA_BYTE), 0, (int) n);
        }
        return out.toByteArray();
    }

    /** ", magic 0x..., version M.m, N port(s)" for an image long enough to hold mtty's header. */
    private static String header(byte[] image) {
        if (image.length < 24) {
            return "";
        }
        MemorySegment s = MemorySegment.ofArray(image);
        return " (magic 0x" + Long.toHexString(s.get(ValueLayout.JAVA_LONG_UNALIGNED, 0)) + ", version "
                + s.get(ValueLayout.JAVA_INT_UNALIGNED, 8) + "." + s.get(ValueLayout.JAVA_INT_UNALIGNED, 12) + ", "
                + s.get(ValueLayout.JAVA_INT_UNALIGNED, 16) + " port(s))";
    }
}
