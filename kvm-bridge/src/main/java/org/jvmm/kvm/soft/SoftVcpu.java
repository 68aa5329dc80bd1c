package org.jvmm.kvm.soft;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.jvmm.address.GuestAddress;
import org.jvmm.kvm.Vcpu;
import org.jvmm.kvm.VcpuExit;
import org.jvmm.kvm.soft.xics.SoftXics;
import org.jvmm.kvm.spapr.Papr;

/**
 * A vCPU of a {@link SoftVm}: {@link #run()} runs its {@link SoftCpu} until the CPU needs the VMM
 * and returns the matching exit: {@link VcpuExit.PaprHcall} for a hypercall the in-bridge path
 * handed up, {@link VcpuExit.Mmio} for an access no memslot backs (data in guest byte order),
 * {@link VcpuExit.Halt} when the CPU has nothing to do, {@link VcpuExit.Interrupted} after a kick,
 * {@link VcpuExit.InternalError} (EMULATION, data = [pc]) when the CPU cannot go on.
 * The VMM's answer in the exit's data segment goes back to the CPU at the next {@code run()}.
 *
 * <p>Threads: {@code run()} on one thread at a time (the vCPU's); {@link #kick()} from any.
 */
public final class SoftVcpu implements Vcpu, SoftCpu.Host {
    private static final VcpuExit HALT = new VcpuExit.Halt();
    private static final VcpuExit INTERRUPTED = new VcpuExit.Interrupted();

    private final SoftVm vm;
    private final int id;
    private final SoftCpu cpu;
    private final AtomicBoolean kick = new AtomicBoolean();
    private final Arena arena = Arena.ofShared();
    private final MemorySegment hcallData = arena.allocate(VcpuExit.PaprHcall.SLOTS * 8L, 8);
    private final long[] hcallRegs = new long[VcpuExit.PaprHcall.SLOTS];
    private final LongAdder hcallExits = new LongAdder();
    private final LongAdder mmioExits = new LongAdder();
    private final LongAdder xicsHcalls = new LongAdder();
    private SoftCpu.Stop pending;
    private boolean closed;

    SoftVcpu(SoftVm vm, int id, SoftCpu cpu) {
        this.vm = vm;
        this.id = id;
        this.cpu = cpu;
    }

    @Override
    public int id() {
        return id;
    }

    public SoftCpu cpu() {
        return cpu;
    }

    @Override
    public VcpuExit run() {
        if (closed) {
            throw new IllegalStateException("vCPU " + id + " is closed");
        }
        if (pending != null) {
            SoftCpu.Stop p = pending;
            pending = null;
            if (p instanceof SoftCpu.Stop.Hypercall) {
                for (int i = 0; i < hcallRegs.length; i++) {
                    hcallRegs[i] = hcallData.getAtIndex(ValueLayout.JAVA_LONG, i);
                }
            }
            cpu.complete(p, hcallRegs);
        }
        SoftCpu.Stop stop = cpu.run(this);
        switch (stop) {
            case SoftCpu.Stop.Hypercall h -> {
                pending = h;
                hcallExits.increment();
                // KVM copies ret and args[] back into r3..r12: return slots start as the arguments
                hcallData.fill((byte) 0);
                List<Long> args = new ArrayList<>(h.args().length);
                for (int i = 0; i < h.args().length; i++) {
                    args.add(h.args()[i]);
                    hcallData.setAtIndex(ValueLayout.JAVA_LONG, i + 1, h.args()[i]);
                }
                return new VcpuExit.PaprHcall(h.nr(), args, hcallData);
            }
            case SoftCpu.Stop.Mmio m -> {
                pending = m;
                mmioExits.increment();
                return new VcpuExit.Mmio(m.address(), m.length(), m.isWrite(), m.data());
            }
            case SoftCpu.Stop.Idle i -> {
                return HALT;
            }
            case SoftCpu.Stop.Kicked k -> {
                kick.set(false);
                return INTERRUPTED;
            }
            case SoftCpu.Stop.Failed f -> {
                return new VcpuExit.InternalError(VcpuExit.InternalError.EMULATION, List.of(f.pc().value()));
            }
        }
    }

    @Override
    public void kick() {
        kick.set(true);
        cpu.wake();
    }

    @Override
    public boolean kicked() {
        return kick.get();
    }

    @Override
    public MemorySegment ram(GuestAddress gpa, long length) {
        return vm.ram(gpa.value(), length);
    }

    /**
     * KVM's in-kernel hypercalls: with the VM's XICS, H_CEDE (the CPU idles until an interrupt)
     * and the ICP calls of this vCPU's server (H_CPPR, H_EOI, H_XIRR, H_XIRR_X, H_IPI, H_IPOLL);
     * then the VM's TCE fast path.
     */
    @Override
    public boolean hypercall(long[] regs) {
        SoftXics x = vm.xics();
        if (x != null) {
            long nr = regs[0];
            if (nr == Papr.H_CEDE) {
                if (cpu.cede(this)) {
                    regs[0] = Papr.H_SUCCESS;
                    xicsHcalls.increment();
                    return true;
                }
            } else if (SoftXics.isXicsHcall(nr)) {
                long tb = cpu instanceof PpcSoftCpu p ? p.ppc().timebase() : 0;
                regs[0] = x.hcall(id, regs, tb);
                xicsHcalls.increment();
                return true;
            }
        }
        return vm.hypercall(regs);
    }

    /** H_CEDE and XICS hypercalls handled in the accelerator. */
    public long xicsHcalls() {
        return xicsHcalls.sum();
    }

    /** Hypercalls that left the bridge (PAPR_HCALL exits). */
    public long hcallExits() {
        return hcallExits.sum();
    }

    /** MMIO exits. */
    public long mmioExits() {
        return mmioExits.sum();
    }

    @Override
    public void close() {
        if (closed) {
            throw new IllegalStateException("vCPU " + id + " closed twice");
        }
        closed = true;
        arena.close();
        vm.vcpuClosed(this);
    }
}
