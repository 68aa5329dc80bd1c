package org.jvmm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code -device intel-iommu[,pasid-api=iommufd|seed]} and {@code -host-device edu-pasid} are
 * checked at start, before a machine or KVM is touched (status 2); an accepted command line
 * reaches the missing KVM device (status 3).
 */
class IntelIommuOptionsAreCheckedAtStart {
    private static CliRun run(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--kvm-device";
        all[args.length + 1] = "/nonexistent/kvm";
        return CliRun.of(all);
    }

    private static void refused(String expected, String... args) {
        CliRun r = run(args);
        assertEquals(2, r.status(), r.err());
        assertEquals("vmm: " + expected, r.firstErrLine());
    }

    @Test
    @DisplayName("a pasid-api other than iommufd or seed, an unknown property, or a second intel-iommu is refused naming the option and the value")
    void badIntelIommuOptions() {
        refused("-device intel-iommu,pasid-api=vfio: Parameter 'pasid-api' expects iommufd or seed, not 'vfio'",
                "-device", "intel-iommu,pasid-api=vfio");
        refused("-device intel-iommu: only one intel-iommu is supported", "-device", "intel-iommu", "-device", "intel-iommu");
        refused("-device intel-iommu,pasid-api=seed,release=later: Parameter 'release' expects clean, flushed or none, not 'later'",
                "-device", "intel-iommu,pasid-api=seed,release=later");
        refused("-device intel-iommu,release=none: Parameter 'release' is seed 001's (pasid-api=seed)", "-device", "intel-iommu,release=none");
    }

    @Test
    @DisplayName("edu-pasid over iommufd behind an intel-iommu is accepted and goes on to need KVM")
    void aGoodCommandLineReachesKvm() {
        CliRun r = run("-host-device", "edu-pasid,host=0000:00:03.0", "-object", "iommufd,id=iommufd0",
                "-device", "vfio-pci,host=0000:00:03.0,addr=3,iommufd=iommufd0", "-device", "intel-iommu,pasid-api=iommufd");
        assertEquals(3, r.status(), r.err());
    }
}
