package org.jvmm.kvm.soft;

import java.lang.foreign.MemorySegment;
import org.jvmm.kvm.soft.ppc.HypercallHandler;
import org.jvmm.kvm.soft.ppc.MmioAccess;
import org.jvmm.kvm.soft.ppc.MmioHandler;
import org.jvmm.kvm.soft.ppc.PpcCpu;
import org.jvmm.kvm.soft.ppc.PpcExit;

/**
 * The PPC64 interpreter ({@link PpcCpu}) as a soft vCPU's CPU: guest code runs in slices of
 * {@link #SLICE} instructions; {@code sc 1} goes to the host's in-bridge hypercall path first and
 * leaves as a hypercall stop only when that hands it up; a load or store outside RAM is an MMIO
 * stop carrying the bus bytes; {@code wait} is idle; a kick ends the run between slices.
 *
 * <p>Threads: the vCPU's thread only.
 */
public final class PpcSoftCpu implements SoftCpu {
    /** Instructions per run slice: a kick is noticed within one slice. */
    public static final long SLICE = 1 << 20;

    private final PpcCpu cpu;
    private Host host;
    private MmioAccess awaiting;

    /**
     * @param ram guest RAM from guest-physical 0 (the memory of the VM's first memslot)
     * @param littleEndian the guest's byte order (MSR[LE])
     */
    public PpcSoftCpu(MemorySegment ram, boolean littleEndian) {
        HypercallHandler inBridge = c -> {
            long[] regs = new long[10];
            for (int i = 0; i < regs.length; i++) {
                regs[i] = c.gpr(3 + i);
            }
            if (host == null || !host.hypercall(regs)) {
                return HypercallHandler.Outcome.EXIT_TO_VMM;
            }
            for (int i = 0; i < regs.length; i++) {
                c.setGpr(3 + i, regs[i]);
            }
            return HypercallHandler.Outcome.HANDLED;
        };
        this.cpu = new PpcCpu(ram, MmioHandler.EXIT_ALWAYS, inBridge, littleEndian);
    }

    /** The interpreter, for registers and the program counter. */
    public PpcCpu cpu() {
        return cpu;
    }

    @Override
    public Stop run(Host host) {
        this.host = host;
        while (true) {
            if (host.kicked()) {
                return new Stop.Kicked();
            }
            PpcExit e = cpu.run(SLICE);
            switch (e) {
                case PpcExit.Hypercall h -> {
                    long[] args = new long[9];
                    for (int i = 0; i < args.length; i++) {
                        args[i] = cpu.gpr(4 + i);
                    }
                    return new Stop.Hypercall(h.opcode(), args);
                }
                case PpcExit.Mmio m -> {
                    MmioAccess a = m.access();
                    awaiting = a;
                    MemorySegment data = MemorySegment.ofArray(a.write() ? a.data() : new byte[a.size()]);
                    return new Stop.Mmio(a.address(), a.size(), a.write(), data);
                }
                case PpcExit.Halted h -> {
                    return new Stop.Idle();
                }
                case PpcExit.Stopped s -> {
                    return new Stop.Kicked();
                }
                case PpcExit.BudgetExhausted b -> {
                    // next slice
                }
                case PpcExit.IllegalState i -> {
                    return new Stop.Failed(i.reason() + " at " + i.pc());
                }
            }
        }
    }

    @Override
    public void complete(Stop stop, long[] hcallRegs) {
        switch (stop) {
            case Stop.Hypercall h -> {
                for (int i = 0; i < hcallRegs.length; i++) {
                    cpu.setGpr(3 + i, hcallRegs[i]);
                }
            }
            case Stop.Mmio m when !m.isWrite() -> {
                byte[] bytes = m.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                cpu.completeMmioLoad(MmioAccess.valueOf(bytes, awaiting.order()));
            }
            default -> {
            }
        }
    }
}
