package org.jvmm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * -mdev-migrate FROM,to=TO[,checkpoint=N] refuses what cannot be migrated at start, with status 2
 * and one line naming the option and the value, before KVM is touched; an accepted command line
 * reaches the KVM check (status 3 with an absent device).
 */
@DisplayName("-mdev-migrate: bad values refused by name (status 2); a good one reaches the KVM check (status 3)")
class MdevMigrateOptionIsRefusedNamingOptionAndValue {
    private static final String U = "7b4e3a1c-0d2f-4f6a-9b8c-1d2e3f405060";
    private static final String V = "7b4e3a1c-0d2f-4f6a-9b8c-1d2e3f405061";
    private static final String W = "7b4e3a1c-0d2f-4f6a-9b8c-1d2e3f405062";

    private static CliRun run(String migrate) {
        return CliRun.of("-mdev", "mtty-1,uuid=" + U, "-mdev", "mtty-1,uuid=" + V, "-mdev", "mtty-2,uuid=" + W,
                "-device", "vfio-pci,sysfsdev=/sys/bus/mdev/devices/" + U, "-mdev-migrate", migrate,
                "--kvm-device", "/nonexistent/kvm");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        U + "|-mdev-migrate " + U + ": Parameter 'to' is missing",
        U + ",to=" + V + ",checkpoint=two|-mdev-migrate " + U + ",to=" + V + ",checkpoint=two: Parameter 'checkpoint' expects a whole number, not 'two'",
        U + ",to=" + V + ",at=2|-mdev-migrate " + U + ",to=" + V + ",at=2: Property '" + U + ".at' not found (known: to, checkpoint)",
        U + ",to=" + W + "|-mdev-migrate " + U + ",to=" + W + ": " + U + " is mtty-1 but " + W + " is mtty-2; the state image only fits an mdev of the same type",
        V + ",to=" + U + "|-mdev-migrate " + V + ",to=" + U + ": " + V + " is not given to the guest (-device vfio-pci,sysfsdev=...)",
        U + ",to=" + U + "|-mdev-migrate " + U + ",to=" + U + ": the target " + U + " must be a fresh mdev the guest does not have",
        U + ",to=00000000-0000-0000-0000-000000000009|-mdev-migrate " + U + ",to=00000000-0000-0000-0000-000000000009: no mdev 00000000-0000-0000-0000-000000000009 on the host (create one with -mdev TYPE,uuid=...)",
    })
    void refused(String migrate, String expected) {
        CliRun r = run(migrate);
        assertEquals(2, r.status(), r.err());
        assertEquals("vmm: " + expected, r.firstErrLine());
    }

    @Test
    @DisplayName("a migration between two mtty-1 mdevs, the first given to the guest, is accepted (status 3 at the KVM check)")
    void accepted() {
        CliRun r = run(U + ",to=" + V + ",checkpoint=1");
        assertEquals(3, r.status(), r.err());
    }
}
