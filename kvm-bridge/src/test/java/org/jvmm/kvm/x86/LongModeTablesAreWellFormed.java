package org.jvmm.kvm.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.jvmm.address.GuestAddress;
import org.jvmm.kvm.GuestWriter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The long-mode boot helper's GDT, identity page tables and register values, without KVM. */
class LongModeTablesAreWellFormed {

    @Test
    @DisplayName("GDT: null, 64-bit code 0x00af9b000000ffff, data 0x00cf93000000ffff (Intel SDM 3.4.5)")
    void gdtDescriptors() {
        assertEquals(0L, FlatGdt.entries().get(0));
        assertEquals(0x00af_9b00_0000_ffffL, FlatGdt.entries().get(1));
        assertEquals(0x00cf_9300_0000_ffffL, FlatGdt.entries().get(2));
        assertEquals(23, FlatGdt.limit());
        ByteBuffer b = ByteBuffer.wrap(FlatGdt.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x00af_9b00_0000_ffffL, b.getLong(8));
    }

    @Test
    @DisplayName("page tables: PML4 -> PDPT -> one PD per GiB, 2 MiB identity pages, P|RW|PS")
    void identityTables() {
        IdentityPageTables t = new IdentityPageTables(GuestAddress.of(0x9000), 4L << 30);
        assertEquals(4, t.directoryCount());
        assertEquals(6 * 4096, t.sizeBytes());
        ByteBuffer b = ByteBuffer.wrap(t.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0xa003L, b.getLong(0), "PML4[0] -> PDPT at 0xa000, present+writable");
        assertEquals(0L, b.getLong(8), "PML4[1] not present");
        assertEquals(0xb003L, b.getLong(4096), "PDPT[0] -> PD 0");
        assertEquals(0xe003L, b.getLong(4096 + 24), "PDPT[3] -> PD 3");
        assertEquals(0L, b.getLong(4096 + 32), "PDPT[4] not present");
        assertEquals(0x83L, b.getLong(8192), "PD0[0]: 2 MiB page at 0");
        assertEquals(0x200083L, b.getLong(8192 + 8), "PD0[1]: 2 MiB page at 2 MiB");
        long lastEntry = 8192 + 8L * (2048 - 1);
        assertEquals(0xffe0_0083L, b.getLong((int) lastEntry), "last page maps 4 GiB - 2 MiB (LAPIC region)");
    }

    @Test
    void pageTablesRefuseUnalignedBaseAndOddSizes() {
        assertEquals("page tables: base 0x9001 is not 4 KiB aligned", assertThrows(IllegalArgumentException.class,
                () -> new IdentityPageTables(GuestAddress.of(0x9001), 1L << 30)).getMessage());
        assertEquals("page tables: mapped size 0x1000 is not a positive multiple of 2 MiB up to 512 GiB",
                assertThrows(IllegalArgumentException.class,
                        () -> new IdentityPageTables(GuestAddress.of(0x9000), 4096)).getMessage());
    }

    @Test
    @DisplayName("special registers: CR0.PE|PG, CR4.PAE, EFER.LME|LMA, CR3 = PML4, CS long, APIC base kept")
    void longModeSregs() {
        Sregs s = new Sregs();
        s.apicBase = 0xfee0_0900L;
        LongModeBoot.standard().longModeSregs(s);
        assertEquals(Sregs.CR0_PE | Sregs.CR0_MP | Sregs.CR0_ET | Sregs.CR0_NE | Sregs.CR0_WP | Sregs.CR0_PG, s.cr0);
        assertEquals(Sregs.CR4_PAE, s.cr4 & Sregs.CR4_PAE);
        assertEquals(Sregs.EFER_LME | Sregs.EFER_LMA, s.efer);
        assertEquals(0x9000, s.cr3);
        assertEquals(new DescriptorTable(0x500, 23), s.gdt);
        assertEquals(FlatGdt.CODE64, s.cs);
        assertEquals(FlatGdt.DATA, s.ss);
        assertEquals(0xfee0_0900L, s.apicBase);
    }

    @Test
    void tablesAreWrittenWhereTheLayoutSays() {
        MemorySegment ram = MemorySegment.ofArray(new byte[0x10000]);
        LongModeBoot.standard().writeTables(GuestWriter.of(GuestAddress.of(0), ram));
        assertEquals(0x00af_9b00_0000_ffffL, ram.get(ValueLayout.JAVA_LONG_UNALIGNED, 0x508));
        assertEquals(0xa003L, ram.get(ValueLayout.JAVA_LONG_UNALIGNED, 0x9000));
        assertEquals(0x83L, ram.get(ValueLayout.JAVA_LONG_UNALIGNED, 0xb000));
    }
}
