package org.jvmm.cli;

import java.util.List;
import org.jvmm.hw.vtd.VtdPasidApi;
import org.jvmm.hw.vtd.VtdRegs;
import org.jvmm.machine.x86.X86ToyBuilder;

/**
 * {@code -device intel-iommu[,pasid-api=iommufd|seed]}: the virtual VT-d in scalable mode with
 * first-stage translation and page requests (QEMU: {@code -device intel-iommu,x-scalable-mode=on,
 * x-flts=on,svm=on}), the iommufd-backed vfio-pci devices behind it. With it and no {@code -append},
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
        d.checkKnown("-device", List.of("pasid-api"));
        try {
            builder.intelIommu(VtdPasidApi.parse(d.get("pasid-api", "iommufd")));
        } catch (IllegalArgumentException e) {
            throw new UsageException(where + ": " + e.getMessage());
        }
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
