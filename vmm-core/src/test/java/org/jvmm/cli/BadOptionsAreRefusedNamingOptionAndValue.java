package org.jvmm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every bad option is refused at start with exit status 2 and one line naming the option and the
 * value, before a machine, a host device or KVM is touched (the runs below give an absent KVM
 * device: a refusal is status 2, where an accepted command line would reach status 3). Device
 * properties are refused in QEMU's words: "Property 'vfio-pci.bogus' not found" (qom/object.c),
 * "Parameter 'x-no-mmap' expects 'on' or 'off'" (qapi/qapi-util.c), "vfio 0000:00:03.0: device is
 * already attached" (hw/vfio, a second vfio-pci for one host function).
 */
class BadOptionsAreRefusedNamingOptionAndValue {
    private static final String NO_KVM = "/nonexistent/kvm";

    @TempDir
    Path dir;

    private static void refused(String expected, String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--kvm-device";
        all[args.length + 1] = NO_KVM;
        CliRun r = CliRun.of(all);
        assertEquals(2, r.status(), r.err());
        assertEquals("vmm: " + expected, r.firstErrLine());
        assertEquals("", r.out());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "vfio-pci,bogus=1|-device vfio-pci,bogus=1: Property 'vfio-pci.bogus' not found (known: host, addr, x-no-mmap, iommufd)",
        "vfio-pci,host=0000:00:03.0,x-no-mmap=maybe|-device vfio-pci,host=0000:00:03.0,x-no-mmap=maybe: Parameter 'x-no-mmap' expects 'on' or 'off', not 'maybe'",
        "virtio-net,host=0000:00:03.0|-device virtio-net,host=0000:00:03.0: 'virtio-net' is not a valid device model name (known: vfio-pci)",
        "vfio-pci,addr=3|-device vfio-pci,addr=3: Parameter 'host' is missing",
        "vfio-pci,host=03.0.0|-device vfio-pci,host=03.0.0: Parameter 'host' expects a PCI address DDDD:BB:DD.F, not '03.0.0'",
        "vfio-pci,host=0000:00:09.0|-device vfio-pci,host=0000:00:09.0: the simulated host has no function 0000:00:09.0 (it has [0000:00:03.0]; add one with -host-device)",
        "vfio-pci,host=0000:00:03.0,addr=0|-device vfio-pci,host=0000:00:03.0,addr=0: Parameter 'addr' expects a PCI slot from 1 to 31 (0 is the host bridge), not 0",
        "vfio-pci,host=0000:00:03.0,addr=32|-device vfio-pci,host=0000:00:03.0,addr=32: Parameter 'addr' expects a PCI slot from 1 to 31 (0 is the host bridge), not 32",
        "vfio-pci,host=0000:00:03.0,addr=three|-device vfio-pci,host=0000:00:03.0,addr=three: Parameter 'addr' expects a PCI slot from 1 to 31, not 'three'",
    })
    void aBadGuestDeviceIsRefused(String device, String expected) {
        refused(expected, "-device", device);
    }

    @Test
    @DisplayName("the same host function given to two -device vfio-pci is refused at start, as QEMU does (it used to fail at shutdown with VFIO_DEVICE_SET_IRQS EINVAL)")
    void theSameHostFunctionTwiceIsRefused() {
        refused("-device vfio-pci,host=0000:00:03.0,addr=5: vfio 0000:00:03.0: device is already attached",
                "-device", "vfio-pci,host=0000:00:03.0,addr=4", "-device", "vfio-pci,host=0000:00:03.0,addr=5");
    }

    @Test
    void twoDevicesInOneSlotAreRefused() {
        refused("-device vfio-pci,host=0000:00:04.0,addr=3: PCI slot 3 is in use by -device vfio-pci,host=0000:00:03.0,addr=3",
                "-host-device", "edu,host=0000:00:03.0", "-host-device", "edu,host=0000:00:04.0",
                "-device", "vfio-pci,host=0000:00:03.0,addr=3", "-device", "vfio-pci,host=0000:00:04.0,addr=3");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "ivshmem,host=0000:00:04.0,size=0|-host-device ivshmem,host=0000:00:04.0,size=0: Parameter 'size' expects a power of two from 4K to 16G (a bare number is MiB): '0' is not a size above zero",
        "ivshmem,host=0000:00:04.0,size=3M|-host-device ivshmem,host=0000:00:04.0,size=3M: Parameter 'size' expects a power of two from 4K to 16G (a bare number is MiB): '3M' is not a power of two from 4K to 16G",
        "ivshmem,host=0000:00:04.0,size=32G|-host-device ivshmem,host=0000:00:04.0,size=32G: Parameter 'size' expects a power of two from 4K to 16G (a bare number is MiB): '32G' is not a power of two from 4K to 16G",
        "ivshmem,host=0000:00:04.0,size=big|-host-device ivshmem,host=0000:00:04.0,size=big: Parameter 'size' expects a power of two from 4K to 16G (a bare number is MiB): 'big' is not a size (examples: 64M, 1G, 512)",
        "edu,host=0000:00:03.0,size=1M|-host-device edu,host=0000:00:03.0,size=1M: Property 'edu.size' not found (known: host)",
        "nvme,host=0000:00:03.0|-host-device nvme,host=0000:00:03.0: 'nvme' is not a host device (known: edu, edu-pasid, ivshmem, mtty, mbochs, medu)",
    })
    void aBadHostDeviceIsRefused(String device, String expected) {
        refused(expected, "-host-device", device);
    }

    @Test
    void twoHostFunctionsAtOneAddressAreRefused() {
        refused("-host-device ivshmem,host=0000:00:03.0: the simulated host has a function at 0000:00:03.0 already "
                + "(-host-device edu,host=0000:00:03.0)", "-host-device", "edu,host=0000:00:03.0", "-host-device",
                "ivshmem,host=0000:00:03.0");
    }

    @Test
    void aPropertyGivenTwiceIsRefused() {
        refused("-device: 'vfio-pci,host=0000:00:03.0,host=0000:00:04.0' gives property 'host' twice", "-device",
                "vfio-pci,host=0000:00:03.0,host=0000:00:04.0");
    }

    @Test
    void aKernelThatIsADirectoryIsRefused() {
        refused("-kernel " + dir + ": is a directory, not an ELF image", "-kernel", dir.toString());
    }

    @Test
    void aKernelThatDoesNotExistIsRefused() {
        Path p = dir.resolve("nonexistent.elf");
        refused("-kernel " + p + ": no such file", "-kernel", p.toString());
    }

    @Test
    void aKernelThatIsNotElfIsRefusedNamingTheField() throws IOException {
        Path p = Files.writeString(dir.resolve("notes.txt"), "this is not an ELF image, just text that is long enough to read "
                + "a whole 64-byte header from");
        refused("-kernel " + p + ": ELF: bad magic 74 68 69 73, expected 7f 45 4c 46", "-kernel", p.toString());
    }

    @Test
    void aQtestScriptThatIsADirectoryIsRefused() {
        refusedWithoutKvmOption("-qtest " + dir + ": is a directory, not a script", "-M", "pseries", "-qtest", dir.toString());
    }

    @Test
    void aQtestScriptThatDoesNotExistIsRefused() {
        Path p = dir.resolve("nonexistent.qtest");
        refusedWithoutKvmOption("-qtest " + p + ": no such file", "-M", "pseries", "-qtest", p.toString());
    }

    private static void refusedWithoutKvmOption(String expected, String... args) {
        CliRun r = CliRun.of(args);
        assertEquals(2, r.status(), r.err());
        assertEquals("vmm: " + expected, r.firstErrLine());
        assertEquals("", r.out());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "pseries,foo=1|-M pseries,foo=1: Property 'pseries.foo' not found (known: kvm-tce, link, dumpdtb)",
        "pseries,kvm-tce=maybe|-M pseries,kvm-tce=maybe: Parameter 'kvm-tce' expects 'on' or 'off', not 'maybe'",
        "pseries,link=fast|-M pseries,link=fast: Parameter 'link' expects 'mainline' or 'seed', not 'fast'",
        "pseries,kvm-tce|-M pseries,kvm-tce: Parameter 'kvm-tce' expects 'on' or 'off', not ''",
    })
    void aBadPseriesPropertyIsRefused(String machine, String expected) {
        refusedWithoutKvmOption(expected, "-M", machine, "-qtest", "stdio");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "x86-toy,kvm-tce=on|-M x86-toy,kvm-tce=on: Property 'x86-toy.kvm-tce' not found (x86-toy takes no options)",
        "pc|-M pc: unknown machine 'pc'; known: x86-toy, pseries",
    })
    void aBadMachineIsRefused(String machine, String expected) {
        refused(expected, "-M", machine);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "-kernel|x.elf",
        "-bios|x.bin",
        "-append|7",
        "-device|vfio-pci,host=0000:00:03.0",
        "-host-device|edu,host=0000:00:03.0",
        "-timeout|5",
    })
    @DisplayName("an option that means nothing with -qtest is refused by name, not ignored")
    void aBootOptionIsRefusedWithQtest(String option, String value) {
        refusedWithoutKvmOption(option + " " + value + ": means nothing with -qtest (the script drives the CPU of a fixed "
                + "machine: the POWER host's edu in slot 1)", "-M", "pseries", "-qtest", "stdio", option, value);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "--info|mtree",
        "--kvm-device|/dev/null",
    })
    @DisplayName("an option that means something on x86-toy only is refused on pseries by name, not ignored")
    void anX86OnlyOptionIsRefusedOnPseries(String option, String value) {
        CliRun r = CliRun.of("-M", "pseries", "-bios", "x.bin", option, value);
        assertEquals(2, r.status(), r.err());
        assertEquals("vmm: " + option + " " + value + ": means nothing with -M pseries; x86-toy only", r.firstErrLine());
    }

    @Test
    void qtestOnX86ToyIsRefused() {
        refused("-qtest stdio: runs with -M pseries only (x86-toy boots a -kernel)", "-qtest", "stdio");
    }

    @Test
    void pseriesWithoutAScriptIsRefused() {
        refusedWithoutKvmOption("-M pseries: boots -bios IMAGE or -kernel ELF (or writes dumpdtb=FILE), or runs -qtest stdio|FILE", "-M",
                "pseries");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "x86-toy|1536k|-m 1536k: x86-toy takes a whole number of MiB from 1M to 987G",
        "x86-toy|988G|-m 988G: x86-toy takes a whole number of MiB from 1M to 987G",
        "pseries|4k|-m 4k: pseries takes a whole number of MiB from 1M to 1024G",
        "pseries|2T|-m 2T: pseries takes a whole number of MiB from 1M to 1024G",
    })
    void aMemorySizeTheMachineCannotTakeIsRefused(String machine, String size, String expected) {
        if (machine.equals("pseries")) {
            refusedWithoutKvmOption(expected, "-M", machine, "-qtest", "stdio", "-m", size);
        } else {
            refused(expected, "-M", machine, "-m", size);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "-m|0|-m: '0' is not a size above zero",
        "-m|lots|-m: 'lots' is not a size (examples: 64M, 1G, 512)",
        "-append|x|-append: 'x' is not a 64-bit number (decimal, or hexadecimal with 0x)",
        "-append|0x1ffffffffffffffff|-append: '0x1ffffffffffffffff' is not a 64-bit number (decimal, or hexadecimal with 0x)",
        "-device|host=1|-device: 'host=1' does not start with a driver name",
    })
    void aValueThatDoesNotParseIsRefusedNamingTheOption(String option, String value, String expected) {
        CliRun r = CliRun.of(option, value, "--kvm-device", NO_KVM);
        assertEquals(2, r.status(), r.err());
        assertEquals("vmm: " + expected, r.firstErrLine());
    }

    @Test
    @DisplayName("-append takes all 64 bits of RDI: 0xffffffffffffffff and -1 pass the checks (status 3 without KVM)")
    void appendTakesSixtyFourBits() {
        assertEquals(-1L, NumberConverters.Register64.parse("0xffffffffffffffff"));
        assertEquals(-1L, NumberConverters.Register64.parse("18446744073709551615"));
        assertEquals(-1L, NumberConverters.Register64.parse("-1"));
        assertEquals(3, CliRun.of("-append", "0xffffffffffffffff", "--kvm-device", NO_KVM).status());
    }
}
