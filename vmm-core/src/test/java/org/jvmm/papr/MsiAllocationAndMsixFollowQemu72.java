package org.jvmm.papr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.jvmm.address.GuestAddress;
import org.jvmm.kvm.soft.xics.SoftXics;
import org.jvmm.kvm.spapr.SpaprXics;
import org.jvmm.memory.GuestMemory;
import org.jvmm.memory.MemTxResult;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * QEMU 7.2's MSI allocator (hw/ppc/spapr_irq.c) and ibm,change-msi for an MSI-X function
 * (hw/ppc/spapr_pci.c): first fit from 0x1300; a C bool "align" minus one makes MSI blocks
 * unaligned and MSI-X blocks start even; each MSI-X entry gets the window address and first + i.
 */
class MsiAllocationAndMsixFollowQemu72 {
    private static final long BUID = 0x800000020000000L;

    @Test
    @DisplayName("MSI blocks start anywhere, MSI-X blocks on an even source, first fit from 0x1300")
    void allocatorMatchesQemu() {
        SpaprMsiAllocator a = new SpaprMsiAllocator();
        assertEquals(0x1300, a.alloc(1, true));
        assertEquals(0x1302, a.alloc(2, false), "MSI-X skips the odd 0x1301");
        assertEquals(0x1301, a.alloc(1, true), "MSI takes the hole");
        assertEquals(0x1304, a.alloc(3, true));
        assertEquals(0x1308, a.alloc(1, false), "0x1307 is odd");
        a.free(0x1302, 2);
        assertEquals(0x1302, a.alloc(2, false));
        assertEquals(8, a.allocated());
    }

    @Test
    @DisplayName("the MSI range holds 0xD00 sources; a block that does not fit is refused (-1)")
    void allocatorLimits() {
        SpaprMsiAllocator a = new SpaprMsiAllocator();
        assertEquals(-1, a.alloc(SpaprXics.NR_MSIS + 1, true));
        assertEquals(0x1300, a.alloc(SpaprXics.NR_MSIS - 1, true));
        assertEquals(0x1fff, a.alloc(1, true));
        assertEquals(-1, a.alloc(1, true));
    }

    /** Guest memory for the rtas_args buffer: 64 KiB, big-endian cells. */
    private static final class Cells implements GuestMemory {
        final MemorySegment m = MemorySegment.ofArray(new byte[1 << 16]);
        final ValueLayout.OfInt be = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

        @Override
        public long read(GuestAddress address, int size) {
            return m.get(be, address.value()) & 0xffff_ffffL;
        }

        @Override
        public void write(GuestAddress address, int size, long value) {
            m.set(be, address.value(), (int) value);
        }

        @Override
        public MemTxResult read(GuestAddress address, MemorySegment dst) {
            throw new UnsupportedOperationException();
        }

        @Override
        public MemTxResult write(GuestAddress address, MemorySegment src) {
            throw new UnsupportedOperationException();
        }
    }

    /** An MSI-X-only function with 4 entries that records what ibm,change-msi programs. */
    private static final class MsixOnly implements MsiRtasCalls.MsiFunction {
        final List<String> programmed = new ArrayList<>();

        @Override
        public boolean msiPresent() {
            return false;
        }

        @Override
        public boolean msixPresent() {
            return true;
        }

        @Override
        public int msiVectorsAllocated() {
            return 0;
        }

        @Override
        public int msixEntries() {
            return 4;
        }

        @Override
        public void setMsiMessage(long address, int data) {
            programmed.add("msi " + Long.toHexString(address) + " " + Integer.toHexString(data));
        }

        @Override
        public void setMsixMessage(int vector, long address, int data) {
            programmed.add("msix[" + vector + "] " + Long.toHexString(address) + " " + Integer.toHexString(data));
        }
    }

    private static long[] call(Rtas rtas, Cells mem, String name, int nret, long... args) {
        long at = 0x100;
        mem.write(new GuestAddress(at), 4, rtas.token(name));
        mem.write(new GuestAddress(at + 4), 4, args.length);
        mem.write(new GuestAddress(at + 8), 4, nret);
        for (int i = 0; i < args.length; i++) {
            mem.write(new GuestAddress(at + 12 + 4L * i), 4, args[i]);
        }
        for (int i = 0; i < nret; i++) {
            mem.write(new GuestAddress(at + 12 + 4L * (args.length + i)), 4, 0);
        }
        assertEquals(0, rtas.hRtas(at));
        long[] rets = new long[nret];
        for (int i = 0; i < nret; i++) {
            rets[i] = (int) mem.read(new GuestAddress(at + 12 + 4L * (args.length + i)), 4);
        }
        return rets;
    }

    @Test
    @DisplayName("change-msi function 1 on an MSI-X function: an even block, each entry window + first + i, type 2")
    void changeMsiProgramsMsixEntries() {
        Cells mem = new Cells();
        Rtas rtas = new Rtas(mem);
        SoftXics xics = new SoftXics(1);
        xics.addServer(0, a -> { });
        MsixOnly f = new MsixOnly();
        MsiRtasCalls calls = new MsiRtasCalls(new MsiRtasCalls.Functions() {
            @Override
            public boolean knownBuid(long buid) {
                return buid == BUID;
            }

            @Override
            public MsiRtasCalls.MsiFunction find(long buid, long configAddress) {
                return configAddress == 0x800 ? f : null;
            }
        }, () -> xics);
        calls.registerIn(rtas);
        calls.allocator().alloc(1, true); // 0x1300 taken: the MSI-X block must start at 0x1302
        long hi = BUID >>> 32;
        long lo = BUID & 0xffff_ffffL;

        assertArrayEquals(new long[] {0, 4, 2, 2}, call(rtas, mem, "ibm,change-msi", 4, 0x800, hi, lo, 1, 4, 1));
        assertEquals(List.of("msix[0] 40000000000 1302", "msix[1] 40000000000 1303", "msix[2] 40000000000 1304",
                "msix[3] 40000000000 1305"), f.programmed);
        for (int irq = 0x1302; irq <= 0x1305; irq++) {
            assertTrue(xics.claimedAs(irq, false), "source 0x" + Integer.toHexString(irq) + " claimed as MSI");
        }
        assertArrayEquals(new long[] {0, 0x1305, 1}, call(rtas, mem, "ibm,query-interrupt-source-number", 3, 0x800, hi, lo, 3));
        assertArrayEquals(new long[] {-3}, call(rtas, mem, "ibm,change-msi", 1, 0x800, hi, lo, 3, 1, 2), "no MSI capability");
        assertArrayEquals(new long[] {0, 4, 3}, call(rtas, mem, "ibm,change-msi", 3, 0x800, hi, lo, 4, 5, 2),
                "five asked, four offered");
        f.programmed.clear();
        assertArrayEquals(new long[] {0, 0}, call(rtas, mem, "ibm,change-msi", 2, 0x800, hi, lo, 4, 0, 3));
        assertEquals(List.of(), f.programmed, "releasing MSI-X leaves the table as it is (QEMU loops over 0 entries)");
        assertEquals(1, calls.allocator().allocated());
    }

    @Test
    @DisplayName("change-msi when a source of the new block is already claimed: -1, nothing kept")
    void claimConflictIsAHardwareError() {
        Cells mem = new Cells();
        Rtas rtas = new Rtas(mem);
        SoftXics xics = new SoftXics(1);
        xics.addServer(0, a -> { });
        MsixOnly f = new MsixOnly();
        MsiRtasCalls calls = new MsiRtasCalls(new MsiRtasCalls.Functions() {
            @Override
            public boolean knownBuid(long buid) {
                return true;
            }

            @Override
            public MsiRtasCalls.MsiFunction find(long buid, long configAddress) {
                return f;
            }
        }, () -> xics);
        calls.registerIn(rtas);
        assertTrue(xics.claim(0x1301, true));
        assertArrayEquals(new long[] {-1}, call(rtas, mem, "ibm,change-msi", 1, 0, 0, 0, 4, 2, 0));
        assertEquals(0, calls.allocator().allocated());
        assertEquals(false, xics.claimed(0x1300), "the source claimed before the conflict was freed again");
        assertEquals(List.of(), f.programmed);
    }
}
