package org.jvmm.qtest;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteOrder;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.host.kernel.HostKernel;
import org.jvmm.hw.vfio.VfioSpaprSpace;
import org.jvmm.machine.pseries.PseriesMachine;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.host.BridgeType;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.pci.host.spapr.PnvPhb;
import org.jvmm.pci.host.spapr.PnvPhbConfig;
import org.jvmm.host.memory.LockedMemoryAccount;
import org.jvmm.vfio.iommu.SpaprTceDriver;

/**
 * {@code ./vmm -M pseries[,kvm-tce=on|off][,link=mainline|seed] -qtest stdio|FILE}: builds a POWER
 * host model (one PHB, a big-endian edu with a 64-bit DMA mask at 0001:01:00.0 bound to vfio-pci),
 * the pseries machine with that edu in slot 1, and runs a {@link QtestSession} over stdin or the
 * file. Exit status 0 when every command answered OK, 1 otherwise.
 */
public final class QtestLauncher {
    public static final PciAddress EDU = PciAddress.parse("0001:01:00.0");
    /** The most RAM the command line gives the pseries machine (-m): 1 TiB, far below the PHB windows. */
    public static final long RAM_MAX = 1L << 40;

    private QtestLauncher() {
    }

    /** Machine options after "pseries": kvm-tce (default on) and link (default mainline). */
    record Options(boolean kvmTce, VfioSpaprSpace.KvmLink link) {
        /**
         * Parses {@code -M pseries[,kvm-tce=on|off][,link=mainline|seed]}.
         *
         * @throws IllegalArgumentException naming -M, the value given and the property, as QEMU
         *     words it ("Property 'pseries.x' not found", "Parameter 'kvm-tce' expects 'on' or 'off'")
         */
        static Options parse(String machine) {
            String[] parts = machine.split(",", -1);
            String where = "-M " + machine;
            if (!parts[0].equals("pseries")) {
                throw new IllegalArgumentException(where + ": qtest runs on -M pseries only, not '" + parts[0] + "'");
            }
            boolean kvmTce = true;
            VfioSpaprSpace.KvmLink link = VfioSpaprSpace.KvmLink.MAINLINE;
            for (int i = 1; i < parts.length; i++) {
                String[] kv = parts[i].split("=", 2);
                String v = kv.length == 2 ? kv[1] : "";
                switch (kv[0]) {
                    case "kvm-tce" -> kvmTce = switch (v) {
                        case "on" -> true;
                        case "off" -> false;
                        default -> throw new IllegalArgumentException(where + ": Parameter 'kvm-tce' expects 'on' or 'off', not '"
                                + v + "'");
                    };
                    case "link" -> link = switch (v) {
                        case "mainline" -> VfioSpaprSpace.KvmLink.MAINLINE;
                        case "seed" -> VfioSpaprSpace.KvmLink.SEED_LIOBN;
                        default -> throw new IllegalArgumentException(where + ": Parameter 'link' expects 'mainline' or 'seed', not '"
                                + v + "'");
                    };
                    default -> throw new IllegalArgumentException(where + ": Property 'pseries." + kv[0]
                            + "' not found (known: kvm-tce, link)");
                }
            }
            return new Options(kvmTce, link);
        }
    }

    /** The host the command line models: a POWER PHB with an edu at {@link #EDU} bound to vfio-pci. */
    public static HostPciPlatform demoHost() {
        var memory = new org.jvmm.host.memory.HostMemoryRegistry();
        PnvPhb phb = new PnvPhb(PnvPhbConfig.ioda2(), memory);
        HostPciPlatform p = HostKernel.builder().memory(memory).memlock(new LockedMemoryAccount(1L << 32, false))
                .iommuDriver(new SpaprTceDriver(phb)).firstGroupNumber(1)
                .bridge("0001:00:01.0", BridgeType.PCIE_ROOT_PORT, 1, true)
                .endpoint(EDU.toString(), new EduDevice(ByteOrder.BIG_ENDIAN, Runnable::run, -1L), "edu", true).build();
        p.unbind(EDU);
        p.newId("vfio-pci", EduDevice.VENDOR_ID, EduDevice.DEVICE_ID);
        return p;
    }

    /**
     * Runs a session; {@code source} is "stdio" or a file path. Returns the exit status.
     *
     * @throws IllegalArgumentException for a bad machine spec, or a script file that cannot be opened
     *     (naming -M or -qtest and the value)
     * @throws IOException when reading the script fails part way
     */
    public static int run(String machine, long ramSize, String source, InputStream stdin, PrintStream out) throws IOException {
        Options o = Options.parse(machine);
        InputStream script = source.equals("stdio") ? stdin : openScript(source);
        try (script; PseriesMachine m = PseriesMachine.create(demoHost(), ramSize, o.kvmTce(), o.link())) {
            m.addVfioPci(EDU, 1);
            return new QtestSession(m, out).run(script) == 0 ? 0 : 1;
        }
    }

    /**
     * Opens the script file {@code -qtest FILE}.
     *
     * @throws IllegalArgumentException naming -qtest and the file when it is missing, a directory
     *     or unreadable
     */
    static InputStream openScript(String source) {
        String where = "-qtest " + source;
        Path path;
        try {
            path = Path.of(source);
        } catch (java.nio.file.InvalidPathException e) {
            throw new IllegalArgumentException(where + ": not a file name (" + e.getReason() + ")");
        }
        if (Files.isDirectory(path)) {
            throw new IllegalArgumentException(where + ": is a directory, not a script");
        }
        try {
            return Files.newInputStream(path);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(where + ": no such file");
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException(where + ": permission denied");
        } catch (IOException e) {
            throw new IllegalArgumentException(where + ": cannot be read (" + e.getMessage() + ")");
        }
    }
}
