package org.jvmm.cli;

import java.util.List;
import org.jvmm.hw.vtd.VtdPasidApi;
import org.jvmm.hw.vtd.VtdRegs;
import org.jvmm.machine.x86.X86ToyBuilder;
import org.jvmm.vfio.SeedVsvm;

/**
 * {@code -device intel-iommu[,pasid-api=iommufd|seed][,release=clean|flushed|none]}: the virtual VT-d in scalable mode with
 * first-stage translation and page requests (QEMU: {@code -device intel-iommu,x-scalable-mode=on,
 * x-flts=on,svm=on}), the vfio-pci devices behind it; {@code release} is seed mode's unbind flag. With it and no {@code -append},
 * the guest's boot argument is the register block's address ({@link VtdRegs#BASE}).
 */
final class VtdOptions {
    private boolean present;

    static boolean isIntelIommu(DeviceOption d) {
        return d.driver().equals("intel-iommu");
    }

    /** Takes one -device intel-iommu; a second one, an unknown property or a bad pasid-api is a usage error. */
    void apply(DeviceOption d, X86ToyBuilder builder) {
        String where = d.where("-device");
        if (present) {
            throw new UsageException(where + ": only one intel-iommu is supported");
        }
        d.checkKnown("-device", List.of("pasid-api", "release"));
        VtdPasidApi api;
        try {
            api = VtdPasidApi.parse(d.get("pasid-api", "iommufd"));
        } catch (IllegalArgumentException e) {
            throw new UsageException(where + ": " + e.getMessage());
        }
        String release = d.get("release", "clean");
        int flags = switch (release) {
            case "clean" -> SeedVsvm.VFIO_SVM_PASID_RELEASE_CLEAN;
            case "flushed" -> SeedVsvm.VFIO_SVM_PASID_RELEASE_FLUSHED;
            case "none" -> 0;
            default -> throw new UsageException(where + ": Parameter 'release' expects clean, flushed or none, not '" + release + "'");
        };
        if (d.has("release") && api != VtdPasidApi.SEED) {
            throw new UsageException(where + ": Parameter 'release' is seed 001's (pasid-api=seed)");
        }
        builder.intelIommu(api, flags);
        present = true;
    }

    /** After a run with an intel-iommu, one summary line of what the virtual VT-d did. */
    static void atExit(org.jvmm.machine.x86.X86ToyMachine m, java.io.PrintStream out) {
        org.jvmm.hw.vtd.VtdIommu v = m.vtd();
        if (v == null) {
            return;
        }
        out.printf("vtd            %d descriptors, %d faults recorded (%d suppressed by FPD), %d page requests, %d responses%n",
                v.descriptors(), v.faultsRecorded(), v.faultsSuppressed(), v.pageRequests(), v.pageResponses());
    }

    /** The boot argument: the one given with -append, or the VT-d's address when there is an intel-iommu. */
    long argument(String append, long given) {
        return append == null && present ? VtdRegs.BASE : given;
    }
}
