package org.jvmm.guests;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The layering of guest-tests, the top module (it has test classes only, read here): it runs
 * guests on vmm-core and the modules below it (and their shared fuzz fixtures), and nothing else
 * of the project.
 */
@DisplayName("guest-tests layering: on vmm-core, kvm-bridge and vfio-device only, no package cycle")
class GuestTestsLayering {
    static final String[] ALLOWED = {"org.jvmm.guests..",
        // vmm-core
        "org.jvmm.accel..", "org.jvmm.cli..", "org.jvmm.dispatch..", "org.jvmm.hw..", "org.jvmm.machine..",
        "org.jvmm.memory..", "org.jvmm.papr..", "org.jvmm.qtest..", "org.jvmm.trace..", "org.jvmm.qmp..", "org.jvmm.journal..",
        "org.jvmm.web..",
        // kvm-bridge
        "org.jvmm.kvm..",
        // vfio-device
        "org.jvmm.address..", "org.jvmm.host..", "org.jvmm.iommu..", "org.jvmm.pci..", "org.jvmm.vfio..", "org.jvmm.vfiouser..",
        "org.jvmm.devices..", "org.jvmm.iommufd..",
        // the fuzz harness and generators (test-jars of kvm-bridge and vmm-core)
        "org.jvmm.fuzz..",
        // the JDK and the test frameworks (this class uses ArchUnit)
        "java..", "jdk..", "org.junit..", "com.tngtech.archunit..",
        // the web view's browser test drives chromium through Selenium
        "org.openqa.selenium.."};

    static JavaClasses tests;

    @BeforeAll
    static void importTestClasses() throws URISyntaxException {
        Path classes = Path.of(GuestTestsLayering.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        tests = new ClassFileImporter().importPath(classes);
    }

    @Test
    @DisplayName("guest-tests -> vmm-core -> kvm-bridge -> vfio-device: its classes live in org.jvmm.guests and use only those modules, the test frameworks and the JDK")
    void guestTestsUseOnlyTheModulesBelow() {
        classes().should().resideInAPackage("org.jvmm.guests..").check(tests);
        classes().should().onlyDependOnClassesThat().resideInAnyPackage(ALLOWED).check(tests);
    }

    @Test
    @DisplayName("no package of guest-tests is in an import cycle with another")
    void noPackageCycles() {
        slices().matching("org.jvmm.(**)").should().beFreeOfCycles().check(tests);
    }
}
