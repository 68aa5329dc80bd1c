package org.jvmm.kvm.elf;

import org.jvmm.address.GuestAddress;

/**
 * One PT_LOAD program header: {@code fileSize} bytes from {@code fileOffset} go to guest-physical
 * {@code physicalAddress}, followed by {@code memorySize - fileSize} zero bytes.
 *
 * @param index the program header's index in the file (what a refusal names)
 */
public record ElfSegment(int index, long fileOffset, long virtualAddress, GuestAddress physicalAddress, long fileSize,
        long memorySize, int flags) {
    public static final int PF_X = 1;
    public static final int PF_W = 2;
    public static final int PF_R = 4;

    /** True when virtual address {@code va} lies in this segment's memory image. */
    public boolean containsVirtual(long va) {
        long off = va - virtualAddress;
        return Long.compareUnsigned(va, virtualAddress) >= 0 && Long.compareUnsigned(off, memorySize) < 0;
    }

    /** How a refusal names this segment: its index, addresses and size. */
    public String describe() {
        return "PT_LOAD program header " + index + " (p_vaddr=0x" + Long.toHexString(virtualAddress) + ", p_paddr="
                + physicalAddress + ", p_memsz=0x" + Long.toHexString(memorySize) + ")";
    }
}
