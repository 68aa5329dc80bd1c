package org.jvmm.kvm;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The layering of kvm-bridge (the accelerator), checked on its own main classes: it sits on
 * vfio-device alone, and its API ({@code org.jvmm.kvm} with the x86 and sPAPR views) knows
 * nothing of the backends that implement it.
 */
@DisplayName("kvm-bridge layering: on vfio-device only, the accelerator API above no backend, no package cycle")
class KvmBridgeLayering {
    static final String[] OWN = {"org.jvmm.kvm.."};
    /** vfio-device's package trees, the only module below. */
    static final String[] BELOW = {"org.jvmm.address..", "org.jvmm.host..", "org.jvmm.iommu..", "org.jvmm.pci..",
        "org.jvmm.vfio..", "org.jvmm.devices.."};
    static final String[] API = {"org.jvmm.kvm", "org.jvmm.kvm.x86", "org.jvmm.kvm.spapr", "org.jvmm.kvm.elf"};

    static JavaClasses main;

    @BeforeAll
    static void importMainClasses() throws URISyntaxException {
        Path classes = Path.of(Vm.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        main = new ClassFileImporter().importPath(classes);
    }

    @Test
    @DisplayName("kvm-bridge -> vfio-device, never further up: its classes live in org.jvmm.kvm and use only it, vfio-device and the JDK")
    void theBridgeUsesOnlyItselfVfioDeviceAndTheJdk() {
        classes().should().resideInAnyPackage(OWN).check(main);
        // javax.management is the JDK's too (java.management): the soft CPU adds its compiler
        // directive for regions through the DiagnosticCommand MBean.
        classes().should().onlyDependOnClassesThat()
                .resideInAnyPackage(concat(concat(OWN, BELOW), "java..", "jdk..", "javax.management..")).check(main);
    }

    @Test
    @DisplayName("the accelerator API (org.jvmm.kvm, kvm.x86, kvm.spapr, kvm.elf) imports no backend (kvm.soft, kvm.linux)")
    void theAcceleratorApiKnowsNoBackend() {
        noClasses().that().resideInAnyPackage(API).should().dependOnClassesThat()
                .resideInAnyPackage("org.jvmm.kvm.soft..", "org.jvmm.kvm.linux..").check(main);
    }

    @Test
    @DisplayName("no package of kvm-bridge is in an import cycle with another")
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
