package org.jvmm.qtest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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

    private QtestLauncher() {
    }

    /** Machine options after "pseries": kvm-tce (default on) and link (default mainline). */
    record Options(boolean kvmTce, VfioSpaprSpace.KvmLink link) {
        static Options parse(String machine) {
            String[] parts = machine.split(",");
            if (!parts[0].equals("pseries")) {
                throw new IllegalArgumentException("qtest needs -M pseries, not '" + parts[0] + "'");
            }
            boolean kvmTce = true;
            VfioSpaprSpace.KvmLink link = VfioSpaprSpace.KvmLink.MAINLINE;
            for (int i = 1; i < parts.length; i++) {
                String[] kv = parts[i].split("=", 2);
                String v = kv.length == 2 ? kv[1] : "";
                switch (kv[0]) {
                    case "kvm-tce" -> {
                        if (!v.equals("on") && !v.equals("off")) {
                            throw new IllegalArgumentException("kvm-tce=" + v + ": expected on or off");
                        }
                        kvmTce = v.equals("on");
                    }
                    case "link" -> link = switch (v) {
                        case "mainline" -> VfioSpaprSpace.KvmLink.MAINLINE;
                        case "seed" -> VfioSpaprSpace.KvmLink.SEED_LIOBN;
                        default -> throw new IllegalArgumentException("link=" + v + ": expected mainline or seed");
                    };
                    default -> throw new IllegalArgumentException("unknown pseries option '" + kv[0] + "' (known: kvm-tce, link)");
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
     * @throws IllegalArgumentException for a bad machine spec
     * @throws IOException when the file cannot be read
     */
    public static int run(String machine, long ramSize, String source, InputStream stdin, PrintStream out) throws IOException {
        Options o = Options.parse(machine);
        try (PseriesMachine m = PseriesMachine.create(demoHost(), ramSize, o.kvmTce(), o.link())) {
            m.addVfioPci(EDU, 1);
            QtestSession s = new QtestSession(m, out);
            BufferedReader in = source.equals("stdio")
                    ? new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8))
                    : Files.newBufferedReader(Path.of(source), StandardCharsets.UTF_8);
            try (in) {
                return s.run(in) == 0 ? 0 : 1;
            }
        }
    }
}
