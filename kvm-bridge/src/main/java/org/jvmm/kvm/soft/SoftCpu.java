package org.jvmm.kvm.soft;

import java.lang.foreign.MemorySegment;
import org.jvmm.address.GuestAddress;

/**
 * The CPU behind a soft vCPU, pluggable: {@link ScriptedCpu} issues hypercalls and memory
 * accesses from a script, exactly as a vCPU would (QEMU's qtest); {@link PpcSoftCpu} runs guest
 * code on the PPC64 interpreter. {@link #run} executes until the CPU needs its host and says why ({@link Stop}); the
 * soft vCPU turns that into a {@link org.jvmm.kvm.VcpuExit}, and hands the VMM's answer back with
 * {@link #complete} before the next {@code run}.
 *
 * <p>Threads: called only on the vCPU's thread.
 */
public interface SoftCpu {

    /** What the CPU sees of its host: guest RAM through the memslots, and KVM's in-bridge hypercall path. */
    interface Host {
        /** Guest RAM at [gpa, gpa + length) when one memslot backs all of it, else null (MMIO). */
        MemorySegment ram(GuestAddress gpa, long length);

        /**
         * KVM's in-kernel hypercall handling: {@code regs[0]} is r3 (the hcall number), r4 on
         * follow. Returns true when handled (status in regs[0], returns in regs[1..]); false when
         * the call must go to the VMM, with {@code regs} as they were given (KVM hands the VMM
         * the registers of the call).
         */
        boolean hypercall(long[] regs);

        /** True once {@link org.jvmm.kvm.Vcpu#kick()} asked the vCPU to return. */
        boolean kicked();
    }

    /** Why {@link #run} returned. */
    sealed interface Stop {
        /** A hypercall for the VMM: r3 = {@code nr}, r4.. = {@code args}. */
        record Hypercall(long nr, long[] args) implements Stop {
        }

        /** A load or store that no memslot backs; {@code data} holds the stored bytes (guest order) or receives the load. */
        record Mmio(GuestAddress address, int length, boolean isWrite, MemorySegment data) implements Stop {
        }

        /** Nothing left to do (the script ran out; a real CPU would cede). */
        record Idle() implements Stop {
        }

        /** Returned because of a kick. */
        record Kicked() implements Stop {
        }

        /**
         * The CPU cannot go on in a state it does not implement (an instruction fetch outside guest
         * RAM, address translation switched on): KVM_EXIT_INTERNAL_ERROR with {@code pc}.
         */
        record Failed(GuestAddress pc, String reason) implements Stop {
        }
    }

    Stop run(Host host);

    /**
     * The in-kernel interrupt controller's line to this CPU (an XICS ICP's output) went up or
     * down. Any thread. A CPU that takes no interrupts ignores it.
     */
    default void setExternalInterrupt(boolean asserted) {
    }

    /** Wakes the CPU if it idles in {@link #cede} (a kick). Any thread. */
    default void wake() {
    }

    /**
     * H_CEDE in the accelerator: enable external interrupts and idle until one is pending (or the
     * CPU's own timer fires, or a kick); called from within {@link #run} on the vCPU thread.
     * Returns false when this CPU cannot idle that way (the call then goes to the VMM).
     */
    default boolean cede(Host host) {
        return false;
    }

    /**
     * The VMM answered the last stop: for a hypercall, {@code hcallRegs} holds the status (r3) and
     * return values (r4 on); for an MMIO load, the stop's data segment was filled.
     */
    void complete(Stop stop, long[] hcallRegs);
}
