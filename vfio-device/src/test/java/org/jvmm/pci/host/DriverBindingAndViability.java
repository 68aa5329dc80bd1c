package org.jvmm.pci.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.testing.Hosts;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioGroup;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("sysfs drivers: unbind, new_id, bind, driver_override, drivers_probe, and group viability")
class DriverBindingAndViability {

    private static Errno errno(org.junit.jupiter.api.function.Executable e) {
        return assertThrows(ErrnoException.class, e).errno();
    }

    @Test
    void bootBindsHostDriversAndUnbindLeavesNone() {
        HostPciPlatform p = Hosts.seed().platform();
        assertEquals(Optional.of("snd_emu10k1"), p.driverOf(Hosts.SOUND));
        assertEquals(Optional.empty(), p.driverOf(Hosts.BRIDGE));
        p.unbind(Hosts.SOUND);
        assertEquals(Optional.empty(), p.driverOf(Hosts.SOUND));
        assertEquals(Errno.ENOENT, errno(() -> p.unbind(Hosts.SOUND)));
    }

    @Test
    void newIdBindsEveryFreeMatchingFunctionButNotBoundOnesOrBridges() {
        HostPciPlatform p = Hosts.seed().platform();
        p.newId("vfio-pci", 0x1102, 0x0002);
        assertEquals(Optional.of("snd_emu10k1"), p.driverOf(Hosts.SOUND)); // still bound: new_id only probes free devices
        p.unbind(Hosts.SOUND);
        p.newId("vfio-pci", 0x1102, 0x0002);
        assertEquals(Optional.of("vfio-pci"), p.driverOf(Hosts.SOUND));
        p.newId("vfio-pci", 0x8086, 0x244e); // the bridge's ids: vfio-pci refuses bridges
        assertEquals(Optional.empty(), p.driverOf(Hosts.BRIDGE));
        assertEquals(Errno.EINVAL, errno(() -> p.bind("vfio-pci", Hosts.BRIDGE)));
    }

    @Test
    void bindNeedsAFreeDeviceAndAMatchingDriver() {
        HostPciPlatform p = Hosts.seed().platform();
        assertEquals(Errno.EBUSY, errno(() -> p.bind("vfio-pci", Hosts.SOUND)));
        p.unbind(Hosts.SOUND);
        assertEquals(Errno.ENODEV, errno(() -> p.bind("vfio-pci", Hosts.SOUND)));
        assertEquals(Errno.ENOENT, errno(() -> p.bind("no-such-driver", Hosts.SOUND)));
        p.bind("snd_emu10k1", Hosts.SOUND);
        assertEquals(Optional.of("snd_emu10k1"), p.driverOf(Hosts.SOUND));
    }

    @Test
    void driverOverrideDecidesTheMatch() {
        HostPciPlatform p = Hosts.seed().platform();
        p.unbind(Hosts.SOUND);
        p.setDriverOverride(Hosts.SOUND, "vfio-pci");
        assertEquals(Errno.ENODEV, errno(() -> p.bind("snd_emu10k1", Hosts.SOUND)));
        p.driversProbe(Hosts.SOUND);
        assertEquals(Optional.of("vfio-pci"), p.driverOf(Hosts.SOUND));
        p.unbind(Hosts.SOUND);
        p.setDriverOverride(Hosts.SOUND, "");
        assertEquals(null, p.driverOverride(Hosts.SOUND));
        p.driversProbe(Hosts.SOUND);
        assertEquals(Optional.of("snd_emu10k1"), p.driverOf(Hosts.SOUND));
    }

    @Test
    void viabilityNeedsEveryFunctionOnVfioOrNoneAndBridgesWithoutDriverDoNotBlock() {
        HostPciPlatform p = Hosts.seed().platform();
        IommuGroup g = p.group(26);
        assertEquals(false, g.isViable());
        p.unbind(Hosts.SOUND);
        p.newId("vfio-pci", 0x1102, 0x0002);
        assertEquals(false, g.isViable()); // 06:0d.1 still on its host driver
        p.unbind(Hosts.SOUND_1);
        assertEquals(true, g.isViable()); // unbound is enough; bridge 00:1e.0 has no driver
    }

    @Test
    void aHostDriverCannotTakeAFunctionOfAGroupOwnedByVfio() {
        HostPciPlatform p = Hosts.seed().platform();
        p.unbind(Hosts.SOUND);
        p.unbind(Hosts.SOUND_1);
        p.newId("vfio-pci", 0x1102, 0x0002);
        try (VfioContainer c = VfioContainer.open(p); VfioGroup g = VfioGroup.open(p, 26)) {
            g.setContainer(c);
            ErrnoException e = assertThrows(ErrnoException.class, () -> p.bind("emu10k1-gp", Hosts.SOUND_1));
            assertEquals(Errno.EBUSY, e.errno());
            assertEquals(Optional.empty(), p.driverOf(Hosts.SOUND_1));
            g.unsetContainer();
            p.bind("emu10k1-gp", Hosts.SOUND_1);
            assertEquals(Optional.of("emu10k1-gp"), p.driverOf(Hosts.SOUND_1));
        }
    }
}
