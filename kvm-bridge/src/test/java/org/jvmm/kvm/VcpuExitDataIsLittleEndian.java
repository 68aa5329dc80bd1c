package org.jvmm.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jvmm.address.GuestAddress;
import org.junit.jupiter.api.Test;

/** Synthetic exits: value/respond read and write little-endian data of the exit's size; detach copies. */
class VcpuExitDataIsLittleEndian {

    @Test
    void ioOutValueReadsSizeBytes() {
        MemorySegment data = MemorySegment.ofArray(new byte[] {(byte) 0xef, (byte) 0xbe, 0x55, 0x66});
        VcpuExit.Io io = new VcpuExit.Io(VcpuExit.Direction.OUT, 0x600, 2, 1, data);
        assertEquals(0xbeef, io.value());
    }

    @Test
    void ioInRespondWritesOnlySizeBytes() {
        byte[] bytes = new byte[4];
        VcpuExit.Io io = new VcpuExit.Io(VcpuExit.Direction.IN, 0x3fd, 1, 1, MemorySegment.ofArray(bytes));
        io.respond(0x1260);
        assertEquals(0x60, bytes[0]);
        assertEquals(0, bytes[1]);
    }

    @Test
    void mmioRespondAndValueRoundTrip() {
        VcpuExit.Mmio m = new VcpuExit.Mmio(GuestAddress.of(0xd0000000L), 8, false, MemorySegment.ofArray(new byte[8]));
        m.respond(0x0102_0304_0506_0708L);
        assertEquals(0x0102_0304_0506_0708L, m.value());
        assertEquals(0x08, m.data().get(ValueLayout.JAVA_BYTE, 0));
    }

    @Test
    void detachCopiesTheData() {
        byte[] bytes = {0x41};
        VcpuExit.Io io = new VcpuExit.Io(VcpuExit.Direction.OUT, 0x3f8, 1, 1, MemorySegment.ofArray(bytes));
        VcpuExit.Io kept = io.detach();
        bytes[0] = 0x42;
        assertEquals(0x41, kept.value());
    }

    @Test
    void msiAndIoAddressesRefuseOutOfRangeValues() {
        assertEquals(new MsiMessage(0xfee01000L, 0x40), MsiMessage.x86(1, 0x40));
        assertThrows(IllegalArgumentException.class, () -> MsiMessage.x86(0, 3));
        assertEquals("I/O port 0x10000 is outside 0-0xffff",
                assertThrows(IllegalArgumentException.class, () -> new IoEventAddress.Pio(0x10000)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Gsi.of(-1));
    }
}
