package org.jvmm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code -object iommufd,id=ID} and {@code -device vfio-pci,...,iommufd=ID} are checked at start,
 * in QEMU's words, before a machine or KVM is touched (status 2); an accepted command line reaches
 * the missing KVM device (status 3).
 */
class IommufdOptionsAreCheckedAtStart {
    private static final String NO_KVM = "/nonexistent/kvm";

    private static CliRun run(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--kvm-device";
        all[args.length + 1] = NO_KVM;
        return CliRun.of(all);
    }

    private static void refused(String expected, String... args) {
        CliRun r = run(args);
        assertEquals(2, r.status(), r.err());
        assertEquals("vmm: " + expected, r.firstErrLine());
    }

    @Test
    @DisplayName("a device naming an iommufd no -object declared: Property 'vfio-pci.iommufd' can't find value")
    void anUndeclaredIommufdIsRefused() {
        refused("-device vfio-pci,host=0000:00:03.0,addr=3,iommufd=fd0: Property 'vfio-pci.iommufd' can't find value 'fd0'",
                "-device", "vfio-pci,host=0000:00:03.0,addr=3,iommufd=fd0");
    }

    @Test
    void anUnknownObjectTypeOrPropertyOrAMissingIdIsRefused() {
        refused("-object memory-backend-ram,id=m: invalid object type: memory-backend-ram (known: iommufd)",
                "-object", "memory-backend-ram,id=m");
        refused("-object iommufd: Parameter 'id' is missing", "-object", "iommufd");
        refused("-object iommufd,id=a: attempt to add duplicate property 'a' to object (type 'container')",
                "-object", "iommufd,id=a", "-object", "iommufd,id=a");
    }

    @Test
    @DisplayName("a well-formed iommufd command line is accepted and goes on to need KVM")
    void aGoodCommandLineReachesKvm() {
        CliRun r = run("-object", "iommufd,id=iommufd0", "-device", "vfio-pci,host=0000:00:03.0,addr=3,iommufd=iommufd0");
        assertEquals(3, r.status(), r.err());
    }
}
