package org.jvmm.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jvmm.address.GuestAddress;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.machine.x86.X86ToyLayout;
import org.jvmm.memory.FlatRange;
import org.junit.jupiter.api.Test;

/** The x86 toy layout: RAM split around the PCI hole, the serial port and the exit port. */
class X86ToyLayoutSplitsRamAroundThePciHoleAndWiresItsPorts {

    @Test
    void ramAboveThreeGibMovesAboveFourGib() {
        try (MachineMemory mem = new MachineMemory(new HostMemoryRegistry())) {
            X86ToyLayout l = X86ToyLayout.build(mem, 4L << 30, new ByteArrayOutputStream(), s -> { });
            List<FlatRange> ranges = l.memory().flatView().ranges();
            assertEquals(2, ranges.size());
            assertEquals(0, ranges.get(0).start());
            assertEquals(0xC000_0000L, ranges.get(0).size());
            assertEquals(1L << 32, ranges.get(1).start());
            assertEquals(0xC000_0000L, ranges.get(1).offsetInRegion());
            // the same byte seen at its guest address and in the RAM region
            l.memory().write(new GuestAddress((1L << 32) + 8), 8, 0x0102030405060708L);
            assertEquals(0x0102030405060708L, l.ram().segment().get(
                    java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0xC000_0008L));
        }
    }

    @Test
    void theSerialPortPrintsWhatTheGuestWritesAndReportsAnEmptyTransmitter() {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (MachineMemory mem = new MachineMemory(new HostMemoryRegistry())) {
            X86ToyLayout l = X86ToyLayout.build(mem, 16L << 20, console, s -> { });
            for (byte b : "hi\n".getBytes(StandardCharsets.US_ASCII)) {
                l.io().write(new GuestAddress(0x3f8), 1, b);
            }
            assertEquals("hi\n", console.toString(StandardCharsets.US_ASCII));
            assertEquals(0x60, l.io().read(new GuestAddress(0x3fd), 1));
            l.io().write(new GuestAddress(0x3ff), 1, 0xa5);
            assertEquals(0xa5, l.io().read(new GuestAddress(0x3ff), 1));
            assertEquals(3, l.serial().transmitted());
        }
    }

    @Test
    void aWriteToTheExitPortRequestsExitWithQemusStatus() {
        List<Integer> statuses = new ArrayList<>();
        try (MachineMemory mem = new MachineMemory(new HostMemoryRegistry())) {
            X86ToyLayout l = X86ToyLayout.build(mem, 16L << 20, new ByteArrayOutputStream(), statuses::add);
            l.io().write(new GuestAddress(0x501), 1, 0x10);
            assertEquals(List.of(0x21), statuses);
        }
    }

    @Test
    void aMemorySizeThatIsNotWholeMibIsRefusedNamingTheSize() {
        try (MachineMemory mem = new MachineMemory(new HostMemoryRegistry())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> X86ToyLayout.build(mem, 1000, new ByteArrayOutputStream(), s -> { }));
            assertEquals("x86-toy: memory size 0x3e8 must be a positive whole number of MiB up to 987 GiB", e.getMessage());
            assertEquals(0, mem.ramRegions().size());
        }
    }
}
