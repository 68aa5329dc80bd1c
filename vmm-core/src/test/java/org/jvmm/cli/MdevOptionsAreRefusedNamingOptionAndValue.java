package org.jvmm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The mdev options (-host-device mtty|mbochs|medu, -mdev, -device vfio-pci,sysfsdev=) refuse a bad
 * value at start with status 2 and one line naming the option and the value, before KVM is
 * touched; an accepted command line reaches the KVM check (status 3 with an absent device).
 */
@DisplayName("mdev options: bad values refused by name (status 2); good ones reach the KVM check (status 3)")
class MdevOptionsAreRefusedNamingOptionAndValue {
    private static final String NO_KVM = "/nonexistent/kvm";
    private static final String U = "7b4e3a1c-0d2f-4f6a-9b8c-1d2e3f405060";

    private static CliRun run(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--kvm-device";
        all[args.length + 1] = NO_KVM;
        return CliRun.of(all);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "-mdev|mtty-2|-mdev mtty-2: Parameter 'uuid' is missing",
        "-mdev|mtty-2,uuid=1234|-mdev mtty-2,uuid=1234: Parameter 'uuid' expects a UUID (8-4-4-4-12 hex digits), not '1234'",
        "-mdev|mtty-2,uuid=" + U + ",front=vgpu|-mdev mtty-2,uuid=" + U + ",front=vgpu: Parameter 'front' expects 'mainline' or 'seed', not 'vgpu'",
        "-mdev|mtty-2,uuid=" + U + ",color=red|-mdev mtty-2,uuid=" + U + ",color=red: Property 'mtty-2.color' not found (known: uuid, front)",
        "-mdev|gpu-1,uuid=" + U + "|-mdev gpu-1,uuid=" + U + ": 'gpu' is not an mdev parent (known: mtty, mbochs, medu)",
        "-mdev|mtty,uuid=" + U + "|-mdev mtty,uuid=" + U + ": 'mtty' is not an mdev type (PARENT-TYPE, e.g. mtty-2)",
        "-host-device|mbochs,pool=0|-host-device mbochs,pool=0: Parameter 'pool' expects MiB from 1 to 4096, not 0",
        "-host-device|mbochs,pool=lots|-host-device mbochs,pool=lots: Parameter 'pool' expects a whole number, not 'lots'",
        "-host-device|medu,forget-unpin=yes|-host-device medu,forget-unpin=yes: Parameter 'forget-unpin' expects 'on' or 'off', not 'yes'",
        "-host-device|mtty,host=0000:00:05.0|-host-device mtty,host=0000:00:05.0: Property 'mtty.host' not found (known: )",
    })
    void badValues(String option, String value, String expected) {
        CliRun r = run(option, value);
        assertEquals(2, r.status(), r.err());
        assertEquals("vmm: " + expected, r.firstErrLine());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "vfio-pci,sysfsdev=/sys/bus/pci/devices/" + U + "|-device vfio-pci,sysfsdev=/sys/bus/pci/devices/" + U + ": Parameter 'sysfsdev' expects /sys/bus/mdev/devices/UUID, not '/sys/bus/pci/devices/" + U + "'",
        "vfio-pci,sysfsdev=/sys/bus/mdev/devices/" + U + ",display=yes|-device vfio-pci,sysfsdev=/sys/bus/mdev/devices/" + U + ",display=yes: Parameter 'display' expects 'on', 'off' or 'auto', not 'yes'",
        "vfio-pci,sysfsdev=/sys/bus/mdev/devices/00000000-0000-0000-0000-000000000009|-device vfio-pci,sysfsdev=/sys/bus/mdev/devices/00000000-0000-0000-0000-000000000009: no mdev 00000000-0000-0000-0000-000000000009 on the host (create one with -mdev TYPE,uuid=00000000-0000-0000-0000-000000000009)",
        "vfio-pci,sysfsdev=/sys/bus/mdev/devices/" + U + ",ramfb=on|-device vfio-pci,sysfsdev=/sys/bus/mdev/devices/" + U + ",ramfb=on: Property 'vfio-pci.ramfb' not found (known: sysfsdev, addr, display)",
    })
    void badGuestMdev(String device, String expected) {
        CliRun r = run("-mdev", "mbochs-small,uuid=" + U, "-device", device);
        assertEquals(2, r.status(), r.err());
        assertEquals("vmm: " + expected, r.firstErrLine());
    }

    @Test
    @DisplayName("the same mdev given twice is 'device is already attached'; one UUID created twice is refused")
    void twice() {
        CliRun r = run("-mdev", "mtty-2,uuid=" + U, "-device", "vfio-pci,sysfsdev=/sys/bus/mdev/devices/" + U,
                "-device", "vfio-pci,sysfsdev=/sys/bus/mdev/devices/" + U);
        assertEquals(2, r.status(), r.err());
        assertEquals("vmm: -device vfio-pci,sysfsdev=/sys/bus/mdev/devices/" + U + ": vfio " + U + ": device is already attached",
                r.firstErrLine());
        r = run("-mdev", "mtty-2,uuid=" + U, "-mdev", "mtty-1,uuid=" + U.toUpperCase());
        assertEquals(2, r.status(), r.err());
        assertEquals("vmm: -mdev mtty-1,uuid=" + U.toUpperCase() + ": an mdev named " + U + " is created already (-mdev mtty-2,uuid="
                + U + ")", r.firstErrLine());
    }

    @Test
    @DisplayName("a good mdev command line is accepted and stops only at the KVM check (status 3)")
    void accepted() {
        CliRun r = run("-host-device", "mbochs,pool=64", "-mdev", "mbochs-small,uuid=" + U, "-device",
                "vfio-pci,sysfsdev=/sys/bus/mdev/devices/" + U + ",display=on,addr=4", "-screendump", "out.ppm");
        assertEquals(3, r.status(), r.err());
    }
}
