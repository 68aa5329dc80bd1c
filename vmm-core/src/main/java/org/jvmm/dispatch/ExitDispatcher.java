package org.jvmm.dispatch;

import java.lang.foreign.MemorySegment;
import org.jvmm.address.GuestAddress;
import org.jvmm.address.bytes.Bytes;
import org.jvmm.kvm.VcpuExit;
import org.jvmm.kvm.spapr.Papr;
import org.jvmm.memory.AddressSpace;
import org.jvmm.memory.FlatRange;
import org.jvmm.trace.Trace;

/**
 * The one exit handler (after Firecracker's handle_kvm_exit): a pure function of the exit and
 * the machine's address spaces, free of hidden state, so tests feed it synthetic exits.
 *
 * <ul>
 * <li>I/O: each element of a (possibly string) IN/OUT is one access of the port space.
 * <li>MMIO: one access of the memory space of the exit's length when it is 1, 2, 4 or 8, else a
 *     bulk access; the data bytes are in the guest's memory order.
 * <li>PAPR hypercall: the machine's {@link HypercallTable} answers it (status and return values);
 *     a machine without one (x86-toy) answers every hypercall H_FUNCTION.
 * <li>Halt, shutdown, failed entry, internal error, system event: stop, naming the exit.
 * <li>Interrupted (a kick): continue; the run loop decides whether to stop.
 * </ul>
 * Nothing a guest does makes this throw: accesses to nothing read all-ones and are counted by the
 * address space. Should the VMM's handling of an exit fail all the same (a bug), the failure is
 * not swallowed: it is rethrown as an {@link ExitHandlingFailure} naming the exit and the region
 * or hypercall it reached, and the machine stops.
 */
public final class ExitDispatcher {
    private ExitDispatcher() {
    }

    /** The address spaces a vCPU's exits reach. */
    public record Peripherals(AddressSpace memory, AddressSpace io) {
    }

    public static ExitAction handle(Peripherals p, VcpuExit exit, ExitCounters counters) {
        return handle(p, null, exit, counters);
    }

    /**
     * As {@link #handle(Peripherals, VcpuExit, ExitCounters)}, with the machine's hypercall table
     * for PAPR_HCALL exits (null: every hypercall is answered H_FUNCTION, as for a hypervisor
     * that has none).
     */
    public static ExitAction handle(Peripherals p, HypercallTable hcalls, VcpuExit exit, ExitCounters counters) {
        long t0 = System.nanoTime();
        ExitAction action;
        try {
            action = dispatch(p, hcalls, exit);
        } catch (RuntimeException | StackOverflowError e) {
            throw new ExitHandlingFailure(describe(p, exit), e);
        }
        ExitKind kind = ExitKind.of(exit);
        counters.record(kind, System.nanoTime() - t0);
        Trace.vcpuExit(kind.name(), exit);
        if (org.jvmm.journal.Journal.exitsOn()) {
            org.jvmm.journal.Journal.exit(kind.name(), exit, p.memory().cpuOrder());
        }
        return action;
    }

    private static ExitAction dispatch(Peripherals p, HypercallTable hcalls, VcpuExit exit) {
        return switch (exit) {
            case VcpuExit.Io io -> {
                portIo(p.io(), io);
                yield ExitAction.CONTINUE;
            }
            case VcpuExit.Mmio m -> {
                mmio(p.memory(), m);
                yield ExitAction.CONTINUE;
            }
            case VcpuExit.PaprHcall h -> {
                if (hcalls == null) {
                    h.respond(Papr.H_FUNCTION); // as QEMU answers a hypercall it does not implement
                } else {
                    hcalls.dispatch(h);
                }
                yield ExitAction.CONTINUE;
            }
            case VcpuExit.Halt h -> new ExitAction.Stop("the guest halted");
            case VcpuExit.Shutdown s -> new ExitAction.Stop("the guest shut down (triple fault)");
            case VcpuExit.FailEntry f -> new ExitAction.Stop("KVM could not enter the guest: hardware reason 0x"
                    + Long.toHexString(f.hardwareEntryFailureReason()) + " on cpu " + f.cpu());
            case VcpuExit.InternalError e -> new ExitAction.Stop("KVM internal error, suberror " + e.suberror()
                    + ", data " + e.data());
            case VcpuExit.SystemEvent e -> new ExitAction.Stop("system event " + e.type() + " " + e.data());
            case VcpuExit.Interrupted i -> ExitAction.CONTINUE;
            case VcpuExit.Other o -> new ExitAction.Stop("unhandled KVM exit reason " + o.reason());
        };
    }

    /** The exit and what it reached, for an {@link ExitHandlingFailure} (built on that path only). */
    private static String describe(Peripherals p, VcpuExit exit) {
        return switch (exit) {
            case VcpuExit.Mmio m -> "an MMIO " + (m.isWrite() ? "write" : "read") + " of " + m.length() + " bytes at "
                    + m.address() + " (" + reached(p.memory(), m.address().value()) + ")";
            case VcpuExit.Io io -> "a port " + (io.direction() == VcpuExit.Direction.OUT ? "write" : "read") + " of "
                    + io.size() + " bytes x " + io.count() + " at port 0x" + Integer.toHexString(io.port()) + " ("
                    + reached(p.io(), io.port()) + ")";
            case VcpuExit.PaprHcall h -> "hypercall 0x" + Long.toHexString(h.nr()) + " with arguments "
                    + h.args().stream().map(a -> "0x" + Long.toHexString(a)).toList();
            default -> "exit " + exit;
        };
    }

    private static String reached(AddressSpace space, long address) {
        FlatRange r = space.flatView().lookup(address);
        return r == null ? "nothing mapped there" : "region " + r.region().name();
    }

    private static void portIo(AddressSpace io, VcpuExit.Io e) {
        int size = e.size();
        MemorySegment data = e.data();
        for (int i = 0; i < e.count(); i++) {
            GuestAddress port = new GuestAddress(e.port());
            if (e.direction() == VcpuExit.Direction.OUT) {
                io.write(port, size, Bytes.loadLe(data, (long) i * size, size));
            } else {
                Bytes.storeLe(data, (long) i * size, size, io.read(port, size));
            }
        }
    }

    private static void mmio(AddressSpace memory, VcpuExit.Mmio e) {
        int len = e.length();
        MemorySegment data = e.data().asSlice(0, len);
        boolean single = Bytes.isAccessSize(len);
        if (e.isWrite()) {
            if (single) {
                memory.write(e.address(), len, Bytes.load(data, 0, len, memory.cpuOrder()));
            } else {
                memory.write(e.address(), data);
            }
        } else if (single) {
            Bytes.store(data, 0, len, memory.read(e.address(), len), memory.cpuOrder());
        } else {
            memory.read(e.address(), data);
        }
    }
}
