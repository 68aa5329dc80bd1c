package org.jvmm.kvm.soft.ppc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.jvmm.address.GuestAddress;

/**
 * A small stand-in for the soft backend in tests: guest RAM in a confined arena, a recording MMIO
 * handler, a hypercall handler that can be scripted, and helpers to place code.
 */
final class TestMachine implements AutoCloseable {
    final Arena arena = Arena.ofConfined();
    final MemorySegment ram;
    final List<MmioAccess> mmio = new ArrayList<>();
    final PpcCpu cpu;
    final boolean littleEndian;
    MmioReply loadReply = MmioReply.EXIT;
    MmioReply storeReply = MmioReply.EXIT;
    HypercallHandler hcalls = HypercallHandler.EXIT_ALWAYS;

    TestMachine(long ramSize, boolean littleEndian) {
        this.littleEndian = littleEndian;
        this.ram = arena.allocate(ramSize, 4096);
        MmioHandler handler = new MmioHandler() {
            @Override
            public MmioReply load(MmioAccess access) {
                mmio.add(access);
                return loadReply;
            }

            @Override
            public MmioReply store(MmioAccess access) {
                mmio.add(access);
                return storeReply;
            }
        };
        this.cpu = new PpcCpu(ram, handler, c -> hcalls.hypercall(c), littleEndian);
    }

    /**
     * Runs the guest in one tier from its first instruction: {@code interpreted}, {@code blocks}
     * (each block translated at its first run, no regions) or {@code regions} (regions formed at
     * a block's first translated run).
     */
    void tier(String tier) {
        switch (tier) {
            case "interpreted" -> cpu.setBlockTranslation(false);
            case "blocks" -> {
                cpu.translateThreshold = 1;
                cpu.setRegionThreshold(0);
            }
            case "regions" -> {
                cpu.translateThreshold = 1;
                cpu.setRegionThreshold(1);
            }
            default -> throw new IllegalArgumentException("TestMachine.tier: " + tier
                    + " is not interpreted, blocks or regions");
        }
    }

        ByteOrder order() {
        return littleEndian ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
    }

    /**
     * Runs from {@code pc} until the guest halts (at most a million instructions; anything else
     * fails the test) and returns its state: r0 to r31, LR, CTR, CR and the instructions retired.
     */
    List<Long> runToHalt(long pc) {
        cpu.setPc(new GuestAddress(pc));
        PpcExit e = cpu.run(1_000_000);
        org.junit.jupiter.api.Assertions.assertInstanceOf(PpcExit.Halted.class, e);
        List<Long> state = new ArrayList<>();
        for (int r = 0; r < 32; r++) {
            state.add(cpu.gpr(r));
        }
        state.addAll(List.of(cpu.lr(), cpu.ctr(), (long) cpu.cr(), cpu.retiredInstructions()));
        return state;
    }

    /** Writes instruction words at {@code address} in the guest's byte order and drops stale code. */
    void code(long address, int... words) {
        ValueLayout.OfInt w = ValueLayout.JAVA_INT_UNALIGNED.withOrder(order());
        for (int i = 0; i < words.length; i++) {
            ram.set(w, address + 4L * i, words[i]);
        }
        cpu.invalidateCode(new GuestAddress(address), 4L * words.length);
    }

    long read64(long address) {
        return ram.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(order()), address);
    }

    int read32(long address) {
        return ram.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(order()), address);
    }

    void write64(long address, long v) {
        ram.set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(order()), address, v);
    }

    void write32(long address, int v) {
        ram.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(order()), address, v);
    }

    @Override
    public void close() {
        arena.close();
    }
}
