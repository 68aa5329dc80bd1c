package org.jvmm;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.jvmm.pci.host.HostPciPlatform;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The layering of vfio-device, the bottom module (the host kernel), checked on its own main
 * classes. Bottom up: addresses, errno and host memory; the host IOMMU core; the host PCI
 * platform; the vfio.h numbers; VFIO; the host-kernel assembler that joins the platform and VFIO.
 */
@DisplayName("vfio-device layering: the host IOMMU core below the PCI platform and VFIO, no package cycle, nothing from the modules above")
class VfioDeviceLayering {
    /** The package trees this module owns. */
    static final String[] OWN = {"org.jvmm.address..", "org.jvmm.host..", "org.jvmm.iommu..", "org.jvmm.pci..",
        "org.jvmm.vfio..", "org.jvmm.devices..", "org.jvmm.iommufd..", "org.jvmm.vfiouser.."};

    static JavaClasses main;

    @BeforeAll
    static void importMainClasses() throws URISyntaxException {
        Path classes = Path.of(HostPciPlatform.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        main = new ClassFileImporter().importPath(classes);
    }

    @Test
    @DisplayName("vfio-device is the bottom module: its classes live in its own packages and use only those and the JDK")
    void theBottomModuleUsesOnlyItsOwnPackagesAndTheJdk() {
        classes().should().resideInAnyPackage(OWN).check(main);
        classes().should().onlyDependOnClassesThat().resideInAnyPackage(concat(OWN, "java..", "jdk..")).check(main);
    }

    @Test
    @DisplayName("the host IOMMU core (org.jvmm.iommu) imports no VFIO, no host PCI platform and no assembler")
    void theHostIommuCoreSitsBelowVfioAndThePciPlatform() {
        noClasses().that().resideInAPackage("org.jvmm.iommu..").should().dependOnClassesThat()
                .resideInAnyPackage("org.jvmm.vfio..", "org.jvmm.pci.host..", "org.jvmm.host.kernel..").check(main);
    }

    @Test
    @DisplayName("iommufd (org.jvmm.iommufd) sits beside VFIO and below it: it imports no VFIO and no assembler")
    void iommufdImportsNoVfio() {
        noClasses().that().resideInAPackage("org.jvmm.iommufd..").should().dependOnClassesThat()
                .resideInAnyPackage("org.jvmm.vfio..", "org.jvmm.host.kernel..").check(main);
    }

    @Test
    @DisplayName("the PCI platform (org.jvmm.pci, pci.host, pci.host.spapr) imports no VFIO and no assembler")
    void thePciPlatformImportsNoVfio() {
        noClasses().that().resideInAPackage("org.jvmm.pci..").should().dependOnClassesThat()
                .resideInAnyPackage("org.jvmm.vfio..", "org.jvmm.host.kernel..").check(main);
    }

    @Test
    @DisplayName("vfio-user (org.jvmm.vfiouser) sits on top of VFIO: nothing else in the module imports it")
    void vfioUserIsALeaf() {
        noClasses().that().resideOutsideOfPackage("org.jvmm.vfiouser..").should().dependOnClassesThat()
                .resideInAPackage("org.jvmm.vfiouser..").check(main);
    }

    @Test
    @DisplayName("only the host-kernel assembler is above VFIO: nothing else imports org.jvmm.host.kernel")
    void onlyTheAssemblerJoinsThePlatformAndVfio() {
        noClasses().that().resideOutsideOfPackage("org.jvmm.host.kernel..").should().dependOnClassesThat()
                .resideInAPackage("org.jvmm.host.kernel..").check(main);
    }

    @Test
    @DisplayName("no package of vfio-device is in an import cycle with another")
    void noPackageCycles() {
        slices().matching("org.jvmm.(**)").should().beFreeOfCycles().check(main);
    }

    static String[] concat(String[] a, String... b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
