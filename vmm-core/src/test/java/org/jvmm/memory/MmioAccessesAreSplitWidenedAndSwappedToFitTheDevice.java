package org.jvmm.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteOrder;
import java.util.List;
import org.jvmm.address.GuestAddress;
import org.jvmm.memory.TestRegions.RecordingOps;
import org.junit.jupiter.api.Test;

/** MMIO dispatch: access sizes split, widened and byte-swapped to fit what a device implements. */
class MmioAccessesAreSplitWidenedAndSwappedToFitTheDevice {

    private static AddressSpace spaceWith(RecordingOps ops, ByteOrder cpu) {
        ContainerRegion root = new ContainerRegion("root", 0x10000);
        root.addSubregion(0x1000, new MmioRegion("dev", 0x100, ops));
        return new AddressSpace("as", root, cpu);
    }

    @Test
    void anEightByteReadOfAFourByteLittleEndianDeviceIsTwoReadsLowFirst() {
        RecordingOps ops = new RecordingOps(new AccessRules(1, 8, false, 4, 4, Endianness.LITTLE),
                (offset, size) -> offset == 0x10 ? 0x11223344L : 0x55667788L);
        AddressSpace as = spaceWith(ops, ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x5566778811223344L, as.read(new GuestAddress(0x1010), 8));
        assertEquals(List.of("r4@16", "r4@20"), ops.log);
    }

    @Test
    void anEightByteWriteToAFourByteBigEndianDeviceIsTwoWritesHighFirst() {
        RecordingOps ops = new RecordingOps(new AccessRules(1, 8, false, 4, 4, Endianness.BIG));
        AddressSpace as = spaceWith(ops, ByteOrder.BIG_ENDIAN);
        as.write(new GuestAddress(0x1010), 8, 0x1122334455667788L);
        assertEquals(List.of("w4@16=11223344", "w4@20=55667788"), ops.log);
    }

    @Test
    void aByteReadOfAFourByteOnlyDeviceIsWidenedAndTheLowByteKept() {
        RecordingOps ops = new RecordingOps(new AccessRules(1, 4, false, 4, 4, Endianness.LITTLE),
                (offset, size) -> 0xaabbccddL);
        AddressSpace as = spaceWith(ops, ByteOrder.LITTLE_ENDIAN);
        assertEquals(0xdd, as.read(new GuestAddress(0x1008), 1));
        assertEquals(List.of("r4@8"), ops.log);
    }

    @Test
    void aBigEndianDeviceOnALittleEndianCpuIsByteSwapped() {
        RecordingOps ops = new RecordingOps(AccessRules.of(4, 4, Endianness.BIG), (offset, size) -> 0x11223344L);
        AddressSpace as = spaceWith(ops, ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x44332211L, as.read(new GuestAddress(0x1000), 4));
        as.write(new GuestAddress(0x1004), 4, 0xa1b2c3d4L);
        assertEquals(List.of("r4@0", "w4@4=d4c3b2a1"), ops.log);
    }

    @Test
    void aNativeEndianDeviceFollowsTheCpu() {
        RecordingOps ops = new RecordingOps(AccessRules.of(2, 2, Endianness.NATIVE), (offset, size) -> 0x1234L);
        assertEquals(0x1234L, spaceWith(ops, ByteOrder.BIG_ENDIAN).read(new GuestAddress(0x1000), 2));
        assertEquals(0x1234L, spaceWith(ops, ByteOrder.LITTLE_ENDIAN).read(new GuestAddress(0x1000), 2));
    }

    @Test
    void anAccessTheDeviceDoesNotAcceptReadsOnesDropsWritesAndIsCounted() {
        RecordingOps ops = new RecordingOps(AccessRules.of(4, 4, Endianness.LITTLE), (offset, size) -> 0L);
        AddressSpace as = spaceWith(ops, ByteOrder.LITTLE_ENDIAN);
        assertEquals(0xffff, as.read(new GuestAddress(0x1000), 2)); // size not valid
        assertEquals(0xffff_ffffL, as.read(new GuestAddress(0x1002), 4)); // misaligned
        as.write(new GuestAddress(0x1000), 8, 1); // size not valid
        assertEquals(List.of(), ops.log);
        assertEquals(3, as.counters().snapshot().invalidAccesses());
        assertEquals(0, as.counters().snapshot().mmioReads());
    }

    @Test
    void validAccessesAreCountedByDirection() {
        RecordingOps ops = new RecordingOps(AccessRules.DEFAULT);
        AddressSpace as = spaceWith(ops, ByteOrder.LITTLE_ENDIAN);
        as.read(new GuestAddress(0x1000), 4);
        as.write(new GuestAddress(0x1000), 4, 7);
        as.write(new GuestAddress(0x1004), 1, 7);
        assertEquals(1, as.counters().snapshot().mmioReads());
        assertEquals(2, as.counters().snapshot().mmioWrites());
    }
}
