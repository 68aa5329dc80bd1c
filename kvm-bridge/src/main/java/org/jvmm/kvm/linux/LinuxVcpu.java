package org.jvmm.kvm.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.List;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.sys.Linux;
import org.jvmm.host.sys.Syscalls;
import org.jvmm.kvm.VcpuExit;
import org.jvmm.kvm.x86.CpuidEntry;
import org.jvmm.kvm.x86.DescriptorTable;
import org.jvmm.kvm.x86.Regs;
import org.jvmm.kvm.x86.Segment;
import org.jvmm.kvm.x86.Sregs;
import org.jvmm.kvm.x86.X86Vcpu;

/**
 * A KVM vCPU fd and its shared run area (struct kvm_run, mmapped from the fd).
 *
 * <p>Thread rules: {@link #run()} belongs to one platform thread, the first that calls it; its
 * kernel tid is recorded so {@link #kick()} can signal it from any thread. Registers are read and
 * written by the vCPU thread, or by any thread while the vCPU is not in {@code run()}.
 * {@link #close()} is refused while {@code run()} is in progress.
 *
 * <p>The run area is mapped into a shared {@link Arena}; closing the vCPU closes the arena (and
 * unmaps), so a late access from another thread fails with an exception rather than touching
 * unmapped memory. Exit data segments handed out by {@code run()} are slices of it.
 */
public final class LinuxVcpu implements X86Vcpu {
    private static final VarHandle BYTE = ValueLayout.JAVA_BYTE.varHandle();
    private static final VcpuExit.Interrupted INTERRUPTED = KvmRunDecoder.INTERRUPTED;
    private static final int EINTR = Errno.EINTR.number();

    private final LinuxVm vm;
    private final Syscalls sys;
    private final int id;
    private final int fd;
    private final Arena runArena;
    private final MemorySegment runArea;
    private final int pid;
    private volatile Thread owner;
    private volatile int tid;
    private volatile boolean inRun;
    private volatile boolean closed;

    private LinuxVcpu(LinuxVm vm, Syscalls sys, int id, int fd, Arena runArena, MemorySegment runArea) {
        this.vm = vm;
        this.sys = sys;
        this.id = id;
        this.fd = fd;
        this.runArena = runArena;
        this.runArea = runArea;
        this.pid = sys.getpid();
    }

    static LinuxVcpu map(LinuxVm vm, Syscalls sys, int id, int fd, int mmapSize) {
        long addr = Syscalls.check(sys.mmap(mmapSize, Linux.PROT_READ | Linux.PROT_WRITE, Linux.MAP_SHARED, fd, 0),
                "mmap", "kvm_run of vcpu " + id + ", size=" + mmapSize);
        Arena arena = Arena.ofShared();
        MemorySegment run = MemorySegment.ofAddress(addr).reinterpret(mmapSize, arena,
                s -> sys.munmap(addr, mmapSize));
        return new LinuxVcpu(vm, sys, id, fd, arena, run);
    }

    @Override
    public int id() {
        return id;
    }

    /** The vCPU fd (for diagnostics). */
    public int fd() {
        return fd;
    }

    /** The kernel tid of the vCPU thread, 0 before the first {@code run()}. */
    public int threadId() {
        return tid;
    }

    @Override
    public VcpuExit run() {
        Thread current = Thread.currentThread();
        if (owner != current) {
            bind(current);
        }
        inRun = true;
        try {
            if (closed) {
                throw new IllegalStateException("KVM_RUN: vcpu " + id + " is closed");
            }
            int r = sys.ioctl(fd, KvmIoctls.KVM_RUN, 0L);
            if (r < 0) {
                if (r == -EINTR) {
                    BYTE.setVolatile(runArea, KvmStructs.Run.IMMEDIATE_EXIT, (byte) 0);
                    return INTERRUPTED;
                }
                throw new ErrnoException("KVM_RUN", -r, "vcpu " + id);
            }
            return decodeExit();
        } finally {
            inRun = false;
        }
    }

    private synchronized void bind(Thread current) {
        if (owner == current) {
            return;
        }
        if (owner != null) {
            throw new IllegalStateException("KVM_RUN: vcpu " + id + " belongs to thread " + owner.getName()
                    + "; one vCPU, one thread (called from " + current.getName() + ")");
        }
        if (current.isVirtual()) {
            throw new IllegalStateException("KVM_RUN: vcpu " + id + " needs a platform thread: a virtual thread "
                    + "changes carrier, so the kick signal could not find it");
        }
        int sig = VcpuKickSignal.ensureInstalled(sys);
        VcpuKickSignal.unblockForCurrentThread(sys, sig);
        tid = Syscalls.check(sys.gettid(), "gettid", "vcpu " + id);
        owner = current;
    }

    private VcpuExit decodeExit() {
        VcpuExit exit = KvmRunDecoder.decode(runArea);
        if (exit == KvmRunDecoder.INTERRUPTED) {
            BYTE.setVolatile(runArea, KvmStructs.Run.IMMEDIATE_EXIT, (byte) 0);
        }
        return exit;
    }

    @Override
    public void kick() {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("kick: vcpu " + id + " is closed");
            }
            BYTE.setVolatile(runArea, KvmStructs.Run.IMMEDIATE_EXIT, (byte) 1);
        }
        int t = tid;
        if (t != 0) {
            int r = sys.tgkill(pid, t, VcpuKickSignal.installedSignal());
            if (r < 0 && r != -Errno.ESRCH.number()) {
                Syscalls.check(r, "tgkill", "vcpu " + id + " thread tid=" + t);
            }
        }
    }

    /** True while immediate_exit is set (a kick not yet consumed by {@code run()}). */
    public boolean kickPending() {
        return (byte) BYTE.getVolatile(runArea, KvmStructs.Run.IMMEDIATE_EXIT) != 0;
    }

    @Override
    public Regs regs() {
        ensureOpen("KVM_GET_REGS");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(KvmStructs.REGS_SIZE, 8);
            Syscalls.check(sys.ioctl(fd, KvmIoctls.KVM_GET_REGS, s), "KVM_GET_REGS", "vcpu " + id);
            return Regs.fromArray(s.toArray(ValueLayout.JAVA_LONG));
        }
    }

    @Override
    public void setRegs(Regs regs) {
        ensureOpen("KVM_SET_REGS");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocateFrom(ValueLayout.JAVA_LONG, regs.toArray());
            Syscalls.check(sys.ioctl(fd, KvmIoctls.KVM_SET_REGS, s), "KVM_SET_REGS", "vcpu " + id + ", " + regs);
        }
    }

    @Override
    public Sregs sregs() {
        ensureOpen("KVM_GET_SREGS");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(KvmStructs.SregsLayout.SIZE, 8);
            Syscalls.check(sys.ioctl(fd, KvmIoctls.KVM_GET_SREGS, s), "KVM_GET_SREGS", "vcpu " + id);
            return SregsCodec.read(s);
        }
    }

    @Override
    public void setSregs(Sregs sregs) {
        ensureOpen("KVM_SET_SREGS");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(KvmStructs.SregsLayout.SIZE, 8);
            SregsCodec.write(s, sregs);
            Syscalls.check(sys.ioctl(fd, KvmIoctls.KVM_SET_SREGS, s), "KVM_SET_SREGS", "vcpu " + id + ", " + sregs);
        }
    }

    @Override
    public void setCpuid(List<CpuidEntry> entries) {
        ensureOpen("KVM_SET_CPUID2");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(KvmStructs.Cpuid.HEADER_SIZE + entries.size() * KvmStructs.Cpuid.ENTRY_SIZE, 8);
            s.set(ValueLayout.JAVA_INT, 0, entries.size());
            for (int i = 0; i < entries.size(); i++) {
                CpuidCodec.write(s, KvmStructs.Cpuid.HEADER_SIZE + i * KvmStructs.Cpuid.ENTRY_SIZE, entries.get(i));
            }
            Syscalls.check(sys.ioctl(fd, KvmIoctls.KVM_SET_CPUID2, s), "KVM_SET_CPUID2",
                    "vcpu " + id + ", nent=" + entries.size());
        }
    }

    private void ensureOpen(String op) {
        if (closed) {
            throw new IllegalStateException(op + ": vcpu " + id + " is closed");
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("vcpu " + id + " (fd " + fd + ") closed twice");
            }
            closed = true;
            if (inRun) {
                closed = false;
                throw new IllegalStateException("vcpu " + id + " is in run() on thread "
                        + (owner == null ? "?" : owner.getName()) + ": kick it and let run() return before closing");
            }
        }
        runArena.close();
        Syscalls.check(sys.close(fd), "close", "vcpu " + id + " fd=" + fd);
        vm.forget(this);
    }

    @Override
    public String toString() {
        return "LinuxVcpu[id=" + id + " fd=" + fd + (closed ? ", closed" : "") + "]";
    }

    /** struct kvm_sregs to and from {@link Sregs}. */
    static final class SregsCodec {
        private SregsCodec() {
        }

        static Sregs read(MemorySegment s) {
            Sregs r = new Sregs();
            r.cs = segment(s, 0);
            r.ds = segment(s, 1);
            r.es = segment(s, 2);
            r.fs = segment(s, 3);
            r.gs = segment(s, 4);
            r.ss = segment(s, 5);
            r.tr = segment(s, 6);
            r.ldt = segment(s, 7);
            r.gdt = dtable(s, KvmStructs.SregsLayout.GDT);
            r.idt = dtable(s, KvmStructs.SregsLayout.IDT);
            r.cr0 = s.get(ValueLayout.JAVA_LONG, KvmStructs.SregsLayout.CR0);
            r.cr2 = s.get(ValueLayout.JAVA_LONG, KvmStructs.SregsLayout.CR2);
            r.cr3 = s.get(ValueLayout.JAVA_LONG, KvmStructs.SregsLayout.CR3);
            r.cr4 = s.get(ValueLayout.JAVA_LONG, KvmStructs.SregsLayout.CR4);
            r.cr8 = s.get(ValueLayout.JAVA_LONG, KvmStructs.SregsLayout.CR8);
            r.efer = s.get(ValueLayout.JAVA_LONG, KvmStructs.SregsLayout.EFER);
            r.apicBase = s.get(ValueLayout.JAVA_LONG, KvmStructs.SregsLayout.APIC_BASE);
            for (int i = 0; i < 4; i++) {
                r.interruptBitmap[i] = s.get(ValueLayout.JAVA_LONG, KvmStructs.SregsLayout.INTERRUPT_BITMAP + 8L * i);
            }
            return r;
        }

        static void write(MemorySegment s, Sregs r) {
            Segment[] segs = {r.cs, r.ds, r.es, r.fs, r.gs, r.ss, r.tr, r.ldt};
            for (int i = 0; i < segs.length; i++) {
                if (segs[i] == null) {
                    throw new IllegalArgumentException("KVM_SET_SREGS: segment register " + i + " is null");
                }
                putSegment(s, i, segs[i]);
            }
            putDtable(s, KvmStructs.SregsLayout.GDT, r.gdt);
            putDtable(s, KvmStructs.SregsLayout.IDT, r.idt);
            s.set(ValueLayout.JAVA_LONG, KvmStructs.SregsLayout.CR0, r.cr0);
            s.set(ValueLayout.JAVA_LONG, KvmStructs.SregsLayout.CR2, r.cr2);
            s.set(ValueLayout.JAVA_LONG, KvmStructs.SregsLayout.CR3, r.cr3);
            s.set(ValueLayout.JAVA_LONG, KvmStructs.SregsLayout.CR4, r.cr4);
            s.set(ValueLayout.JAVA_LONG, KvmStructs.SregsLayout.CR8, r.cr8);
            s.set(ValueLayout.JAVA_LONG, KvmStructs.SregsLayout.EFER, r.efer);
            s.set(ValueLayout.JAVA_LONG, KvmStructs.SregsLayout.APIC_BASE, r.apicBase);
            for (int i = 0; i < 4; i++) {
                s.set(ValueLayout.JAVA_LONG, KvmStructs.SregsLayout.INTERRUPT_BITMAP + 8L * i, r.interruptBitmap[i]);
            }
        }

        private static Segment segment(MemorySegment s, int index) {
            long at = KvmStructs.SregsLayout.SEGMENTS + index * KvmStructs.SegmentLayout.SIZE;
            return new Segment(
                    s.get(ValueLayout.JAVA_LONG, at + KvmStructs.SegmentLayout.BASE),
                    s.get(ValueLayout.JAVA_INT, at + KvmStructs.SegmentLayout.LIMIT),
                    s.get(ValueLayout.JAVA_SHORT, at + KvmStructs.SegmentLayout.SELECTOR) & 0xffff,
                    u8(s, at + KvmStructs.SegmentLayout.TYPE),
                    u8(s, at + KvmStructs.SegmentLayout.PRESENT) != 0,
                    u8(s, at + KvmStructs.SegmentLayout.DPL),
                    u8(s, at + KvmStructs.SegmentLayout.DB) != 0,
                    u8(s, at + KvmStructs.SegmentLayout.S) != 0,
                    u8(s, at + KvmStructs.SegmentLayout.L) != 0,
                    u8(s, at + KvmStructs.SegmentLayout.G) != 0,
                    u8(s, at + KvmStructs.SegmentLayout.AVL) != 0,
                    u8(s, at + KvmStructs.SegmentLayout.UNUSABLE) != 0);
        }

        private static void putSegment(MemorySegment s, int index, Segment g) {
            long at = KvmStructs.SregsLayout.SEGMENTS + index * KvmStructs.SegmentLayout.SIZE;
            s.set(ValueLayout.JAVA_LONG, at + KvmStructs.SegmentLayout.BASE, g.base());
            s.set(ValueLayout.JAVA_INT, at + KvmStructs.SegmentLayout.LIMIT, g.limit());
            s.set(ValueLayout.JAVA_SHORT, at + KvmStructs.SegmentLayout.SELECTOR, (short) g.selector());
            s.set(ValueLayout.JAVA_BYTE, at + KvmStructs.SegmentLayout.TYPE, (byte) g.type());
            s.set(ValueLayout.JAVA_BYTE, at + KvmStructs.SegmentLayout.PRESENT, (byte) (g.present() ? 1 : 0));
            s.set(ValueLayout.JAVA_BYTE, at + KvmStructs.SegmentLayout.DPL, (byte) g.dpl());
            s.set(ValueLayout.JAVA_BYTE, at + KvmStructs.SegmentLayout.DB, (byte) (g.db() ? 1 : 0));
            s.set(ValueLayout.JAVA_BYTE, at + KvmStructs.SegmentLayout.S, (byte) (g.s() ? 1 : 0));
            s.set(ValueLayout.JAVA_BYTE, at + KvmStructs.SegmentLayout.L, (byte) (g.l() ? 1 : 0));
            s.set(ValueLayout.JAVA_BYTE, at + KvmStructs.SegmentLayout.G, (byte) (g.g() ? 1 : 0));
            s.set(ValueLayout.JAVA_BYTE, at + KvmStructs.SegmentLayout.AVL, (byte) (g.avl() ? 1 : 0));
            s.set(ValueLayout.JAVA_BYTE, at + KvmStructs.SegmentLayout.UNUSABLE, (byte) (g.unusable() ? 1 : 0));
        }

        private static DescriptorTable dtable(MemorySegment s, long at) {
            return new DescriptorTable(s.get(ValueLayout.JAVA_LONG, at), s.get(ValueLayout.JAVA_SHORT, at + 8) & 0xffff);
        }

        private static void putDtable(MemorySegment s, long at, DescriptorTable t) {
            s.set(ValueLayout.JAVA_LONG, at, t.base());
            s.set(ValueLayout.JAVA_SHORT, at + 8, (short) t.limit());
        }

        private static int u8(MemorySegment s, long at) {
            return s.get(ValueLayout.JAVA_BYTE, at) & 0xff;
        }
    }
}
