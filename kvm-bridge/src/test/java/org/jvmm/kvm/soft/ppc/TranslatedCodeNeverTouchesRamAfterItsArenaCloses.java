package org.jvmm.kvm.soft.ppc;

import static org.jvmm.kvm.soft.ppc.Asm.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicReference;
import org.jvmm.address.GuestAddress;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Translated code reaches guest RAM of a confined arena through a global-scope view, without the
 * per-access liveness and owner checks (PpcCpu.translatedRam). The view frees nothing, and no
 * access through it may follow the arena's close or come from a thread other than the owner: the
 * run loop makes one checked access before it enters translated code, so those cases get the
 * exception a checked access gives, and never a read or write of freed memory.
 */
class TranslatedCodeNeverTouchesRamAfterItsArenaCloses {
    /** 0x1000: sc 1; 0x1004: loop adding 1 to r4 and storing it at 0x800. */
    private static TestMachine storeLoop() {
        TestMachine m = new TestMachine(0x10000, true);
        m.cpu.translateThreshold = 1;
        m.code(0x1000, sc(1), addi(4, 4, 1), stw(4, 0x800, 0), b(-8));
        m.cpu.setPc(new GuestAddress(0x1004));
        m.cpu.run(3000);
        assertEquals(1, m.cpu.translatedBlocks(), "the store loop is translated");
        assertEquals(1000, m.cpu.gpr(4));
        assertEquals(1000, m.ram.get(ValueLayout.JAVA_INT_UNALIGNED, 0x800));
        return m;
    }

    @Test
    @DisplayName("a confined arena's RAM gets a global-scope view of the same memory; other segments are used as they are")
    void onlyConfinedRamGetsAView() {
        try (Arena confined = Arena.ofConfined(); Arena shared = Arena.ofShared()) {
            MemorySegment c = confined.allocate(0x2000, 4096);
            MemorySegment view = PpcCpu.translatedRam(c);
            assertNotSame(c, view);
            assertEquals(c.address(), view.address());
            assertEquals(c.byteSize(), view.byteSize());
            assertTrue(view.isAccessibleBy(Thread.ofVirtual().unstarted(() -> { })), "global scope");
            c.set(ValueLayout.JAVA_LONG, 0x1ff8, 0x1122334455667788L);
            assertEquals(0x1122334455667788L, view.get(ValueLayout.JAVA_LONG, 0x1ff8), "same memory");

            MemorySegment s = shared.allocate(0x2000, 4096);
            assertSame(s, PpcCpu.translatedRam(s), "a shared arena may close from any thread: checked");
            MemorySegment heap = MemorySegment.ofArray(new byte[0x2000]);
            assertSame(heap, PpcCpu.translatedRam(heap));
            MemorySegment auto = Arena.ofAuto().allocate(0x2000);
            assertSame(auto, PpcCpu.translatedRam(auto));
            MemorySegment readOnly = c.asReadOnly();
            assertSame(readOnly, PpcCpu.translatedRam(readOnly), "a read-only segment stays checked (and read-only)");
        }
    }

    @Test
    @DisplayName("after the arena closes, the next run throws before translated code runs")
    void closedArenaStopsTheNextRun() {
        TestMachine m = storeLoop();
        m.arena.close();
        m.cpu.setPc(new GuestAddress(0x1004));
        assertThrows(IllegalStateException.class, () -> m.cpu.run(3000));
        assertEquals(1000, m.cpu.gpr(4), "no pass of the loop ran");
    }

    @Test
    @DisplayName("a hypercall handler that closes the arena mid-run stops the run before translated code runs again")
    void handlerClosingTheArenaStopsTheRun() {
        TestMachine m = storeLoop();
        m.hcalls = cpu -> {
            m.arena.close();
            return HypercallHandler.Outcome.HANDLED;
        };
        m.cpu.setPc(new GuestAddress(0x1000));
        assertThrows(IllegalStateException.class, () -> m.cpu.run(3000));
        assertFalse(m.arena.scope().isAlive());
        assertEquals(1000, m.cpu.gpr(4), "no pass of the loop ran after the close");
    }

    @Test
    @DisplayName("a thread other than the arena's owner gets WrongThreadException, as from a checked access")
    void otherThreadIsRefused() throws Exception {
        try (TestMachine m = storeLoop()) {
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread t = Thread.ofPlatform().start(() -> {
                try {
                    m.cpu.run(3000);
                } catch (Throwable e) {
                    thrown.set(e);
                }
            });
            t.join();
            assertInstanceOf(WrongThreadException.class, thrown.get());
            assertEquals(1000, m.cpu.gpr(4), "no pass of the loop ran on the other thread");
            assertEquals(1000, m.ram.get(ValueLayout.JAVA_INT_UNALIGNED, 0x800));
        }
    }
}
