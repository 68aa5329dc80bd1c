package org.jvmm.kvm.soft;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;
import org.jvmm.address.GuestAddress;
import org.jvmm.kvm.VcpuExit;
import org.jvmm.kvm.soft.ppc.HypercallHandler;
import org.jvmm.kvm.soft.ppc.MmioAccess;
import org.jvmm.kvm.soft.ppc.MmioHandler;
import org.jvmm.kvm.soft.ppc.MmioReply;
import org.jvmm.kvm.soft.ppc.PpcCpu;
import org.jvmm.kvm.soft.ppc.PpcExit;

/**
 * The software PPC64 CPU ({@link PpcCpu}) behind a soft vCPU: what KVM on a POWER host does for a
 * pseries guest, done in process.
 * <ul>
 * <li><b>Guest RAM</b> is the VM's memslots. The CPU's RAM fast path is bound at construction to
 * the memslot that backs guest-physical [0, ramSize) (the real-mode area, where the guest's code
 * runs). A load or store elsewhere asks the VM's memslots again: inside another memslot it is done
 * in place, with no exit; outside every memslot it is MMIO.</li>
 * <li><b>{@code sc 1}</b> goes to the VM's in-bridge hypercall path first (H_PUT_TCE, H_GET_TCE,
 * H_PUT_TCE_INDIRECT and H_STUFF_TCE on a LIOBN with a KVM TCE table: done in place, r3.. set, the
 * guest goes on with no exit). Anything else stops the CPU with {@link Stop.Hypercall} (r3 and
 * r4..r12), the soft vCPU's {@link VcpuExit.PaprHcall}; the VMM's answer (status and nine return
 * slots) goes into r3..r12 when the vCPU runs again, and the guest resumes after its {@code sc}.
 * Return slots the VMM left alone are 0 (the soft vCPU clears them), where KVM would leave r4..r12
 * as the guest passed them; the PAPR calling convention makes them volatile either way.</li>
 * <li><b>MMIO</b> stops the CPU with {@link Stop.Mmio}: the access's size and its bytes in guest
 * memory order, as KVM fills {@code kvm_run.mmio.data} on POWER (a little-endian {@code stw} puts
 * the low byte first, a big-endian one the high byte, a byte-reversed form the other way round;
 * Linux arch/powerpc/kvm/powerpc.c, kvmppc_handle_store/kvmppc_handle_load). A store is complete
 * when the exit is returned; a load finishes at the next run with the bytes the VMM left in the
 * exit's data.</li>
 * <li>{@code wait} is {@link Stop.Idle} (a halt); an instruction fetch outside the RAM area or MMU
 * translation switched on is {@link Stop.Failed}.</li>
 * <li><b>Kicks</b> are looked at on entry and every {@value #SLICE} instructions, so a kicked vCPU
 * returns within about a millisecond of guest time.</li>
 * </ul>
 * The memslot under the RAM area must stay while the CPU runs: at every run it is checked, and a
 * missing or moved one is refused with an {@link IllegalStateException} naming the range (the VMM
 * removed RAM from under a running guest, which this CPU cannot follow). Read-only memslots are
 * written like any other (as the soft VM's {@code ram()} resolves them).
 *
 * <p>Threads: {@link #run} and {@link #complete} on the vCPU's thread; {@link #ppc()} register
 * access on that thread, or any thread while the vCPU is not running. No locks.
 */
public final class PpcSoftCpu implements SoftCpu {
    /** Instructions between two looks at the kick flag. */
    static final long SLICE = 1L << 19;
    private static final int HCALL_REGS = VcpuExit.PaprHcall.SLOTS;
    private static final GuestAddress RAM_START = new GuestAddress(0);

    private final PpcCpu cpu;
    private final MemorySegment ram;
    private final long ramSize;
    private final long[] regs = new long[HCALL_REGS];
    private final MemorySegment mmioData = MemorySegment.ofArray(new long[1]);
    private Host host;
    private Stop pending;
    private MmioAccess pendingLoad;
    private long fastPathHypercalls;
    private long inPlaceAccesses;
    private String failure;
    private final Object idle = new Object();
    private long cedes;
    private long cedeWakeups;

    /**
     * A CPU for {@code vm} in 64-bit supervisor real mode (MSR = SF|ME, plus LE if
     * {@code littleEndian}), PC 0, whose guest RAM fast path is the memslot backing guest-physical
     * [0, ramSize). Create it after that memslot, then pass it to {@link SoftVm#createVcpu(int, SoftCpu)}.
     *
     * @throws IllegalArgumentException if no single memslot backs [0, ramSize), or ramSize is not a
     *     nonzero multiple of 4 KiB
     */
    public PpcSoftCpu(SoftVm vm, long ramSize, boolean littleEndian) {
        Objects.requireNonNull(vm, "vm");
        if (ramSize < 4096 || (ramSize & 4095) != 0) {
            throw new IllegalArgumentException("PpcSoftCpu: RAM size 0x" + Long.toHexString(ramSize)
                    + " is not a nonzero multiple of 4 KiB");
        }
        MemorySegment m = vm.ram(0, ramSize);
        if (m == null) {
            throw new IllegalArgumentException("PpcSoftCpu: guest-physical [0x0, 0x" + Long.toHexString(ramSize)
                    + ") is not backed by one memslot of the VM; map guest RAM at 0 first");
        }
        this.ram = m;
        this.ramSize = ramSize;
        this.cpu = new PpcCpu(m, new Bus(), this::hypercall, littleEndian);
    }

    /** The CPU itself: registers, timebase and decrementer, the external line, code invalidation. */
    public PpcCpu ppc() {
        return cpu;
    }

    /** Hypercalls the in-bridge path completed without an exit. */
    public long fastPathHypercalls() {
        return fastPathHypercalls;
    }

    /** Loads and stores outside the RAM area done in place in another memslot. */
    public long inPlaceAccesses() {
        return inPlaceAccesses;
    }

    /** H_CEDE calls idled in the accelerator. */
    public long cedes() {
        return cedes;
    }

    /** H_CEDE idles that ended by an external interrupt or a kick (not the decrementer). */
    public long cedeWakeups() {
        return cedeWakeups;
    }

    @Override
    public void setExternalInterrupt(boolean asserted) {
        cpu.setExternalInterrupt(asserted);
        if (asserted) {
            wake();
        }
    }

    @Override
    public void wake() {
        synchronized (idle) {
            idle.notifyAll();
        }
    }

    /**
     * H_CEDE as KVM HV and QEMU's h_cede do it: MSR[EE] is set and the vCPU idles until an
     * interrupt is pending. The host thread waits (no spin) while the external line is down and
     * no kick came, at most as long as the decrementer needs to turn negative at 512 MHz of host
     * time; if the decrementer ends the wait, the timebase jumps to that tick
     * ({@link PpcCpu#advanceTimebase}), so the guest sees the same instruction-derived time on
     * every host. A kick during the idle stops the CPU at the next block boundary.
     */
    @Override
    public boolean cede(Host h) {
        cpu.setMsr(cpu.msr() | org.jvmm.kvm.soft.ppc.Msr.EE);
        cedes++;
        long deadline = 0;
        boolean timed = false;
        synchronized (idle) {
            while (true) {
                if (cpu.externalInterrupt()) {
                    cedeWakeups++;
                    return true;
                }
                if (h.kicked()) {
                    cedeWakeups++;
                    cpu.requestStop();
                    return true;
                }
                long dec = cpu.dec();
                if (dec < 0) {
                    return true;
                }
                long ticks = dec + 1;
                long now = System.nanoTime();
                if (!timed) {
                    deadline = now + ticks * 1_000_000_000L / PpcCpu.TIMEBASE_HZ;
                    timed = true;
                }
                long left = deadline - now;
                if (left <= 0) {
                    cpu.advanceTimebase(ticks);
                    return true;
                }
                try {
                    idle.wait(left / 1_000_000L, (int) (left % 1_000_000L));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    cpu.requestStop();
                    return true;
                }
            }
        }
    }

    /** Why the last {@link Stop.Failed} happened, or null. */
    public String failure() {
        return failure;
    }

    @Override
    public Stop run(Host host) {
        if (host.kicked()) {
            return new Stop.Kicked();
        }
        MemorySegment now = host.ram(RAM_START, ramSize);
        if (now == null || now.address() != ram.address()) {
            throw new IllegalStateException("KVM_RUN: the memslot under guest RAM [0x0, 0x" + Long.toHexString(ramSize)
                    + ") that the PPC CPU was created on is gone or was moved");
        }
        this.host = host;
        try {
            while (true) {
                PpcExit e = cpu.run(SLICE);
                switch (e) {
                    case PpcExit.BudgetExhausted b -> {
                        if (host.kicked()) {
                            return new Stop.Kicked();
                        }
                    }
                    case PpcExit.Hypercall h -> {
                        long[] args = new long[HCALL_REGS - 1];
                        for (int i = 0; i < args.length; i++) {
                            args[i] = cpu.gpr(4 + i);
                        }
                        return pending = new Stop.Hypercall(h.opcode(), args);
                    }
                    case PpcExit.Mmio(MmioAccess a) -> {
                        MemorySegment data = mmioData.asSlice(0, a.size());
                        if (a.write()) {
                            MemorySegment.copy(a.data(), 0, data, ValueLayout.JAVA_BYTE, 0, a.size());
                            pendingLoad = null;
                        } else {
                            data.fill((byte) 0);
                            pendingLoad = a;
                        }
                        return pending = new Stop.Mmio(a.address(), a.size(), a.write(), data);
                    }
                    case PpcExit.Halted h -> {
                        return new Stop.Idle();
                    }
                    case PpcExit.Stopped s -> {
                        return new Stop.Kicked();
                    }
                    case PpcExit.IllegalState f -> {
                        failure = f.reason();
                        return new Stop.Failed(f.pc(), f.reason());
                    }
                }
            }
        } finally {
            this.host = null;
        }
    }

    @Override
    public void complete(Stop stop, long[] hcallRegs) {
        if (stop != pending) {
            throw new IllegalStateException("PpcSoftCpu.complete: " + stop + " is not the stop the CPU is waiting on ("
                    + pending + ")");
        }
        pending = null;
        switch (stop) {
            case Stop.Hypercall h -> {
                for (int i = 0; i < HCALL_REGS; i++) {
                    cpu.setGpr(3 + i, hcallRegs[i]);
                }
            }
            case Stop.Mmio m -> {
                if (!m.isWrite()) {
                    MmioAccess a = pendingLoad;
                    pendingLoad = null;
                    cpu.completeMmioLoad(MmioAccess.valueOf(m.data().toArray(ValueLayout.JAVA_BYTE), a.order()));
                }
            }
            default -> {
            }
        }
    }

    /** {@code sc 1}: r3..r12 to the VM's in-bridge path; back into r3..r12 when it handled the call. */
    private HypercallHandler.Outcome hypercall(PpcCpu c) {
        for (int i = 0; i < HCALL_REGS; i++) {
            regs[i] = c.gpr(3 + i);
        }
        if (!host.hypercall(regs)) {
            return HypercallHandler.Outcome.EXIT_TO_VMM;
        }
        for (int i = 0; i < HCALL_REGS; i++) {
            c.setGpr(3 + i, regs[i]);
        }
        fastPathHypercalls++;
        return HypercallHandler.Outcome.HANDLED;
    }

    /** Accesses outside the RAM area: another memslot in place, else an MMIO exit. */
    private final class Bus implements MmioHandler {
        @Override
        public MmioReply load(MmioAccess a) {
            MemorySegment m = host.ram(a.address(), a.size());
            if (m == null) {
                return MmioReply.EXIT;
            }
            inPlaceAccesses++;
            return new MmioReply.Completed(MmioAccess.valueOf(m.toArray(ValueLayout.JAVA_BYTE), a.order()));
        }

        @Override
        public MmioReply store(MmioAccess a) {
            MemorySegment m = host.ram(a.address(), a.size());
            if (m == null) {
                return MmioReply.EXIT;
            }
            inPlaceAccesses++;
            MemorySegment.copy(a.data(), 0, m, ValueLayout.JAVA_BYTE, 0, a.size());
            return MmioReply.STORED;
        }
    }

    @Override
    public String toString() {
        return "PpcSoftCpu[pc=" + cpu.pc() + ", ram=0x" + Long.toHexString(ramSize) + ", "
                + (((cpu.msr() & org.jvmm.kvm.soft.ppc.Msr.LE) != 0) ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN) + "]";
    }
}
