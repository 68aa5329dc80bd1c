package org.jvmm.qtest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every address is unsigned, on the pseries machine driven by qtest: guest loads and stores at
 * 0x8000000000000000 and near 2^64 read all-ones and are dropped (never wrapping to address 0),
 * an RTAS buffer or an IOBA there is answered H_PARAMETER (-4), and an edu DMA whose count is 2^63
 * or 2^64 - 1 is refused by the device and counted as a guest error while the session goes on.
 * The same transcript on the in-bridge TCE path (kvm-tce=on) and through the VMM (kvm-tce=off).
 */
@DisplayName("qtest on pseries: top-bit and near-2^64 addresses and a huge edu DMA count are answered, never thrown")
class QtestAnswersTopBitAddressesAndRefusedDma {

    private static final String SCRIPT = """
            readb 0x8000000000000000
            readq 0xffffffffffffffff
            writeq 0x8000000000000000 0x1234
            writeq 0xfffffffffffffffc 0x1234
            readq 0
            read 0x8000000000000000 16
            read 0xfffffffffffffff8 16
            write 0xfffffffffffffff8 16 0x11223344556677881122334455667788
            memset 0xfffffffffffffff8 16 0x5a
            readq 0
            hcall 0xf000 0x8000000000000000
            hcall 0xf000 0xfffffffffffffff8
            hcall 0x20 0x80000000 0x8000000000000000 0x200001
            hcall 0x20 0x80000000 0xfffffffffffff000 0x200001
            hcall 0x1c 0x80000000 0x8000000000000000
            hcall 0x138 0x80000000 0xfffffffffffff000 0x200001 2
            hcall 0x138 0x80000000 0x1000 0 0x8000000000000001
            writeq 0x200081000080 0x40000
            writeq 0x200081000088 0x10000
            writeq 0x200081000090 0x8000000000000000
            writeq 0x200081000098 3
            readq 0x200081000098
            writeq 0x200081000090 0xffffffffffffffff
            writeq 0x200081000098 3
            readl 0x200081000000
            info
            hcall 0x13c 0x80000000 0x0 0x8000000000000000 1
            hcall 0x1c 0x80000000 0x0
            hcall 0x20 0x80000000 0x1000 0xfffffffffffff003
            writeq 0x200081000080 0x1000
            writeq 0x200081000088 0x40000
            writeq 0x200081000090 8
            writeq 0x200081000098 1
            faults
            """;

    private static final List<String> EXPECTED = List.of(
            "OK 0xff",
            "OK 0xffffffffffffffff",
            "OK",
            "OK",
            "OK 0x0",
            "OK 0xffffffffffffffffffffffffffffffff",
            "OK 0xffffffffffffffffffffffffffffffff",
            "OK",
            "OK",
            "OK 0x0",
            "OK -4 0x8000000000000000 0x0 0x0 0x0 exited=yes",
            "OK -4 0xfffffffffffffff8 0x0 0x0 0x0 exited=yes",
            "OK -4 0x80000000 0x8000000000000000 0x200001 0x0 exited=no",
            "OK -4 0x80000000 0xfffffffffffff000 0x200001 0x0 exited=no",
            "OK -4 0x80000000 0x8000000000000000 0x0 0x0 exited=no",
            "OK -4 0x80000000 0xfffffffffffff000 0x200001 0x2 exited=no",
            "OK -4 0x80000000 0x1000 0x0 0x8000000000000001 exited=no",
            "OK",
            "OK",
            "OK",
            "OK",
            "OK 0x2",
            "OK",
            "OK",
            "OK 0x10000ed",
            "OK machine=pseries ram=0x4000000 kvm-tce=on liobn=0x80000000:0x0+0x40000000 liobn=0x80000001:off"
                    + " device=vfio-0001:01:00.0@bar0=0x200081000000 guest-errors=2",
            // a TCE list at the top bit reads all-ones: TCE 0xffffffffffffffff is stored as given
            // (QEMU's ldq_be_phys and put_tce_emu); a TCE naming a page near 2^64 maps nothing
            // VFIO can pin, so the device's DMA through it is an IOMMU fault, not an exception
            "OK 0 0x80000000 0x0 0x8000000000000000 0x1 exited=yes",
            "OK 0 0xffffffffffffffff 0x0 0x0 0x0 exited=no",
            "OK 0 0x80000000 0x1000 0xfffffffffffff003 0x0 exited=yes",
            "OK",
            "OK",
            "OK",
            "OK",
            "OK count=1 last=IOMMU_fault:_0001:01:00.0_READ_iova=0x1000_size=0x8_(UNMAPPED)");

    @ParameterizedTest(name = "kvm-tce={0}")
    @ValueSource(strings = {"on", "off"})
    void everyLineIsAnsweredWithTheHardwaresOutcome(String kvmTce) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = QtestLauncher.run("pseries,kvm-tce=" + kvmTce, 64L << 20, "stdio",
                new ByteArrayInputStream(SCRIPT.getBytes(StandardCharsets.UTF_8)), new PrintStream(out, true, StandardCharsets.UTF_8));
        List<String> expected = kvmTce.equals("on") ? EXPECTED : EXPECTED.stream()
                .map(l -> l.replace("kvm-tce=on", "kvm-tce=off").replace("exited=no", "exited=yes")).toList();
        assertEquals(expected, out.toString(StandardCharsets.UTF_8).lines().toList());
        assertEquals(0, status);
    }
}
