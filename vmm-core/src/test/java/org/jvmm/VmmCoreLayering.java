package org.jvmm;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.jvmm.memory.AddressSpace;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The layering of vmm-core (the VMM), checked on its own main classes: it sits on kvm-bridge and
 * vfio-device; its device models reach the accelerator only through its API, and its memory API
 * knows the host IOMMU's permission type but not the host kernel's VFIO.
 */
@DisplayName("vmm-core layering: on kvm-bridge and vfio-device only, device models on the accelerator API, no package cycle")
class VmmCoreLayering {
    static final String[] OWN = {"org.jvmm.accel..", "org.jvmm.cli..", "org.jvmm.dispatch..", "org.jvmm.hw..",
        "org.jvmm.machine..", "org.jvmm.memory..", "org.jvmm.papr..", "org.jvmm.qtest..", "org.jvmm.trace..", "org.jvmm.qmp..",
        "org.jvmm.journal..", "org.jvmm.web.."};
    /** kvm-bridge's and vfio-device's package trees, the modules below. */
    static final String[] BELOW = {"org.jvmm.kvm..", "org.jvmm.address..", "org.jvmm.host..", "org.jvmm.iommu..",
        "org.jvmm.pci..", "org.jvmm.vfio..", "org.jvmm.devices..", "org.jvmm.iommufd..", "org.jvmm.vfiouser.."};
    /** The accelerator API: the VM and vCPU contract with its x86 and sPAPR views. */
    static final String[] ACCELERATOR_API = {"org.jvmm.kvm", "org.jvmm.kvm.x86", "org.jvmm.kvm.spapr"};

    static JavaClasses main;

    @BeforeAll
    static void importMainClasses() throws URISyntaxException {
        Path classes = Path.of(AddressSpace.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        main = new ClassFileImporter().importPath(classes);
    }

    @Test
    @DisplayName("vmm-core -> kvm-bridge -> vfio-device, never back: its classes live in its own packages and use only those below, picocli, Netty, Vert.x, Jackson, Chronicle and the JDK")
    void theVmmUsesOnlyTheModulesBelowIt() {
        classes().should().resideInAnyPackage(OWN).check(main);
        classes().should().onlyDependOnClassesThat()
                .resideInAnyPackage(concat(concat(OWN, BELOW), "java..", "jdk..", "picocli..",
                        "io.netty..", "io.vertx..", "com.fasterxml.jackson..", "net.openhft.."))
                .check(main);
    }

    @Test
    @DisplayName("VMM device models (org.jvmm.hw..) import only the accelerator API (org.jvmm.kvm, kvm.x86, kvm.spapr), never a backend (kvm.soft, kvm.linux)")
    void deviceModelsUseOnlyTheAcceleratorApi() {
        noClasses().that().resideInAPackage("org.jvmm.hw..").should().dependOnClassesThat(
                resideInAPackage("org.jvmm.kvm..").and(not(resideInAnyPackage(ACCELERATOR_API)))).check(main);
    }

    @Test
    @DisplayName("the memory API (org.jvmm.memory) imports nothing of the host kernel's VFIO (org.jvmm.vfio..)")
    void theMemoryApiImportsNoVfio() {
        noClasses().that().resideInAPackage("org.jvmm.memory..").should().dependOnClassesThat()
                .resideInAPackage("org.jvmm.vfio..").check(main);
    }

    @Test
    @DisplayName("no package of vmm-core is in an import cycle with another")
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
