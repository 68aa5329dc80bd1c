package org.jvmm.machine.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.jvmm.hw.vfio.VfioSpaprSpace;
import org.jvmm.machine.pseries.PseriesBuilder;
import org.jvmm.machine.x86.X86ToyBuilder;
import org.jvmm.machine.x86.X86ToyLayout;
import org.jvmm.pci.PciAddress;
import org.junit.jupiter.api.Test;

/**
 * The configuration records and the builders' intake refuse a bad value when it is given, with a
 * message that starts with where the value came from and names it; nothing is built.
 */
class ConfigRecordsRefuseBadValuesNamingTheOrigin {
    private static final PciAddress A = PciAddress.parse("0000:00:03.0");
    private static final PciAddress B = PciAddress.parse("0000:00:04.0");

    private static String refused(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void ramOutsideTheMachinesRangeIsRefusedNamingTheMachineAndItsLimit() {
        assertEquals("-m 0B: x86-toy takes a whole number of MiB from 1M to 987G",
                refused(() -> new X86ToyBuilder(MemoryConfig.of(0))));
        assertEquals("-m 1536k: x86-toy takes a whole number of MiB from 1M to 987G",
                refused(() -> new X86ToyBuilder(new MemoryConfig(1536L << 10, "-m 1536k"))));
        assertEquals("-m 2199023255552B: pseries takes a whole number of MiB from 1M to 1024G",
                refused(() -> new PseriesBuilder(MemoryConfig.of(2L << 40))));
        assertEquals("-m 18446744073709551615B: pseries takes a whole number of MiB from 1M to 1024G",
                refused(() -> new PseriesBuilder(MemoryConfig.of(-1L))), "a top-bit size compares unsigned");
    }

    @Test
    void anIvshmemSizeThatIsNotAPowerOfTwoFrom4KTo16GIsRefused() {
        assertEquals("-host-device ivshmem,host=0000:00:03.0,size=3M: Parameter 'size' expects a power of two from 4K to 16G "
                + "(a bare number is MiB): '3M' is not a power of two from 4K to 16G",
                refused(() -> HostDeviceConfig.ivshmem(A, 3L << 20)));
        assertEquals("-host-device ivshmem,host=0000:00:03.0,size=2K: Parameter 'size' expects a power of two from 4K to 16G "
                + "(a bare number is MiB): '2K' is not a power of two from 4K to 16G",
                refused(() -> HostDeviceConfig.ivshmem(A, 2048)));
        assertEquals("-host-device ivshmem,host=0000:00:03.0,size=32G: Parameter 'size' expects a power of two from 4K to 16G "
                + "(a bare number is MiB): '32G' is not a power of two from 4K to 16G",
                refused(() -> HostDeviceConfig.ivshmem(A, 32L << 30)));
        assertEquals(16L << 30, HostDeviceConfig.ivshmem(A, 16L << 30).sharedMemorySize());
    }

    @Test
    void theIvshmemLimitIsHalfOfX86ToysPciHole64() {
        assertEquals(X86ToyLayout.PCI_HOLE64_SIZE / 2, HostDeviceConfig.IVSHMEM_SIZE_MAX);
    }

    @Test
    void aSlotOutside1To31IsRefused() {
        assertEquals("-device vfio-pci,host=0000:00:03.0,addr=0: Parameter 'addr' expects a PCI slot from 1 to 31 "
                + "(0 is the host bridge), not 0", refused(() -> VfioPciConfig.of(A, 0)));
        assertEquals("-device vfio-pci,host=0000:00:03.0,addr=32: Parameter 'addr' expects a PCI slot from 1 to 31 "
                + "(0 is the host bridge), not 32", refused(() -> VfioPciConfig.of(A, 32)));
    }

    @Test
    void theX86BuilderRefusesTwoFunctionsAtOneAddressAMissingOrRepeatedFunctionAndASlotInUse() {
        X86ToyBuilder b = new X86ToyBuilder(MemoryConfig.of(64L << 20)).hostDevice(HostDeviceConfig.edu(A));
        assertEquals("-host-device ivshmem,host=0000:00:03.0,size=1M: the simulated host has a function at 0000:00:03.0 "
                + "already (-host-device edu,host=0000:00:03.0)",
                refused(() -> b.hostDevice(HostDeviceConfig.ivshmem(A, 1L << 20))));
        assertEquals("-device vfio-pci,host=0000:00:04.0,addr=3: the simulated host has no function 0000:00:04.0 "
                + "(it has [0000:00:03.0]; add one with -host-device)", refused(() -> b.vfioPci(VfioPciConfig.of(B, 3))));
        b.vfioPci(VfioPciConfig.of(A, 3));
        assertEquals("-device vfio-pci,host=0000:00:03.0,addr=5: vfio 0000:00:03.0: device is already attached",
                refused(() -> b.vfioPci(VfioPciConfig.of(A, 5))));
        b.hostDevice(HostDeviceConfig.edu(B));
        assertEquals("-device vfio-pci,host=0000:00:04.0,addr=3: PCI slot 3 is in use by -device vfio-pci,host=0000:00:03.0,addr=3",
                refused(() -> b.vfioPci(VfioPciConfig.of(B, 3))));
        assertEquals(java.util.List.of(VfioPciConfig.of(A, 3)), b.vfioPciDevices(), "a refused device is not kept");
        assertEquals(java.util.List.of(HostDeviceConfig.edu(A), HostDeviceConfig.edu(B)), b.hostDevices());
    }

    @Test
    void machineSpecsParseOrAreRefusedNamingTheProperty() {
        assertEquals(new MachineConfig(MachineType.X86_TOY, PseriesConfig.DEFAULT), MachineConfig.parse("x86-toy"));
        assertEquals(new MachineConfig(MachineType.PSERIES, new PseriesConfig(false, VfioSpaprSpace.KvmLink.SEED_LIOBN)),
                MachineConfig.parse("pseries,kvm-tce=off,link=seed"));
        assertEquals("-M pc: unknown machine 'pc'; known: x86-toy, pseries", refused(() -> MachineConfig.parse("pc")));
        assertEquals("-M x86-toy,kvm-tce=on: Property 'x86-toy.kvm-tce' not found (x86-toy takes no options)",
                refused(() -> MachineConfig.parse("x86-toy,kvm-tce=on")));
        assertEquals("-M pseries,link=fast: Parameter 'link' expects 'mainline' or 'seed', not 'fast'",
                refused(() -> MachineConfig.parse("pseries,link=fast")));
    }
}
