package org.jvmm.kvm.soft.xics;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import org.jvmm.kvm.spapr.SpaprXics;

/**
 * The soft accelerator's XICS: one ICS of {@link #NR_IRQS} sources from {@link #IRQ_BASE} and one
 * ICP per server, with the presentation rules of QEMU's hw/intc/xics.c (which the in-kernel
 * arch/powerpc/kvm/book3s_xics.c follows for a guest):
 * <ul>
 * <li><b>ICP</b>: XIRR = CPPR &lt;&lt; 24 | XISR, a pending priority and MFRR. A source is
 * presented when its priority is more favoured (numerically lower) than CPPR and than what the ICP
 * already holds; the one it displaces is rejected back to its source. Accepting (H_XIRR) returns
 * XIRR, raises CPPR to the presented priority and clears XISR. EOI sets CPPR from the EOI'd
 * XIRR's top byte, lets an LSI be sent again, and when XISR is empty resends what waits (an IPI
 * whose MFRR beats CPPR, rejected MSIs, asserted LSIs). Lowering CPPR below a presented source
 * rejects it; raising it with XISR empty resends.</li>
 * <li><b>ICS</b>: server, priority, saved priority; priority 0xff masks. An MSI firing while
 * masked is remembered (masked-pending) and presented by the next unmasking set-xive; a rejected
 * MSI is resent on the ICP's next resend. An LSI is presented while asserted and not yet sent,
 * and again after EOI if still asserted.</li>
 * </ul>
 * An ICP's output is its "interrupt pending" line to the CPU ({@link #connect}).
 *
 * <p>Threads: every state change under this object's monitor; outputs and EOI listeners run with
 * the monitor held (outputs must not call back; listeners may drive sources).
 */
public final class SoftXics implements SpaprXics {
    /** H_EOI, H_CPPR, H_IPI, H_IPOLL, H_XIRR and H_XIRR_X (Linux asm/hvcall.h). */
    public static final long H_EOI = 0x64;
    public static final long H_CPPR = 0x68;
    public static final long H_IPI = 0x6C;
    public static final long H_IPOLL = 0x70;
    public static final long H_XIRR = 0x74;
    public static final long H_XIRR_X = 0x2FC;
    /**
     * The hcalls a VM with this XICS answers in the bridge, never exiting to the VMM: the ICP
     * calls and H_CEDE (for a device tree's ibm,hypertas-functions, "hcall-interrupt" and the
     * H_CEDE of "hcall-splpar").
     */
    public static final List<Long> IN_BRIDGE_HCALLS = List.of(H_EOI, H_CPPR, H_IPI, H_IPOLL, H_XIRR, H_XIRR_X,
            org.jvmm.kvm.spapr.Papr.H_CEDE);

    private static final int XISR_MASK = 0x00ff_ffff;
    private static final int FLAG_LSI = 1;
    private static final int FLAG_MSI = 2;
    private static final int ASSERTED = 1;
    private static final int SENT = 2;
    private static final int REJECTED = 4;
    private static final int MASKED_PENDING = 8;

    /** One presentation controller. */
    public interface Output {
        /** The ICP's interrupt line to its CPU went up or down. */
        void set(boolean asserted);
    }

    private static final class Icp {
        final int server;
        int xirr;
        int pendingPriority = MASKED;
        int mfrr = MASKED;
        boolean output;
        Output sink;

        Icp(int server) {
            this.server = server;
        }

        int cppr() {
            return xirr >>> 24;
        }

        int xisr() {
            return xirr & XISR_MASK;
        }
    }

    private final Icp[] icps;
    private final byte[] flags = new byte[NR_IRQS];
    /** Claimed sources: the only ones a resend can find work in (an unclaimed one is never held). */
    private final java.util.BitSet claimed = new java.util.BitSet(NR_IRQS);
    private final int[] server = new int[NR_IRQS];
    private final short[] priority = new short[NR_IRQS];
    private final short[] savedPriority = new short[NR_IRQS];
    private final byte[] status = new byte[NR_IRQS];
    private final long[] fired = new long[NR_IRQS];
    private final List<IntConsumer> eoiListeners = new ArrayList<>();
    private long presented;

    /** An XICS with room for servers 0 .. maxServers-1 (their ICPs are made by {@link #addServer}). */
    public SoftXics(int maxServers) {
        icps = new Icp[maxServers];
        java.util.Arrays.fill(priority, (short) MASKED);
        java.util.Arrays.fill(savedPriority, (short) MASKED);
    }

    // ---------------------------------------------------------------- servers

    /** Creates the ICP of {@code server} (KVM_CAP_IRQ_XICS on a vCPU); reset state, output low. */
    public synchronized void addServer(int server, Output sink) {
        if (server < 0 || server >= icps.length) {
            throw new IllegalArgumentException("XICS: server " + server + " outside 0.." + (icps.length - 1));
        }
        if (icps[server] != null) {
            throw new IllegalStateException("XICS: server " + server + " already has an ICP");
        }
        Icp icp = new Icp(server);
        icp.sink = sink;
        icps[server] = icp;
    }

    /** Drops the ICP of {@code server} (its vCPU closed). */
    public synchronized void removeServer(int server) {
        if (server >= 0 && server < icps.length) {
            icps[server] = null;
        }
    }

    @Override
    public synchronized boolean hasServer(long s) {
        return s >= 0 && s < icps.length && icps[(int) s] != null;
    }

    /**
     * Runs {@code listener} with the source number at every EOI of a source (not of an IPI),
     * with this object's monitor held, before the ICP resends: a resampling irqfd drops its
     * level there ({@link #setIrq} may be called), so an LSI the device no longer drives is not
     * presented again.
     */
    public synchronized void addEoiListener(IntConsumer listener) {
        eoiListeners.add(listener);
    }

    /** Sources and IPIs presented to an ICP so far. */
    public synchronized long presented() {
        return presented;
    }

    // ---------------------------------------------------------------- ICP state for tests and the VMM

    /** XIRR of {@code server} (CPPR &lt;&lt; 24 | XISR) without accepting. */
    public synchronized int xirr(int server) {
        return icp(server).xirr;
    }

    /** MFRR of {@code server}. */
    public synchronized int mfrr(int server) {
        return icp(server).mfrr;
    }

    /** Whether {@code server}'s output to its CPU is up. */
    public synchronized boolean output(int server) {
        return icp(server).output;
    }

    private Icp icp(int s) {
        Icp icp = s >= 0 && s < icps.length ? icps[s] : null;
        if (icp == null) {
            throw new IllegalArgumentException("XICS: no ICP for server " + s);
        }
        return icp;
    }

    private Icp icpOrNull(long s) {
        return s >= 0 && s < icps.length ? icps[(int) s] : null;
    }

    // ---------------------------------------------------------------- hypercalls

    /** True for the hcall numbers {@link #hcall} answers. */
    public static boolean isXicsHcall(long nr) {
        return nr == H_EOI || nr == H_CPPR || nr == H_IPI || nr == H_IPOLL || nr == H_XIRR || nr == H_XIRR_X;
    }

    /**
     * One XICS hypercall from the vCPU of server {@code caller}: {@code regs[0]} is r3 (the
     * number), r4.. follow; the status goes to regs[0], returns to regs[1..]. Return codes as
     * QEMU's hw/intc/xics_spapr.c: H_SUCCESS, or H_PARAMETER for an H_IPI/H_IPOLL server with no
     * ICP. H_XIRR_X's second return is the timebase {@code timebase}. The arguments are
     * truncated as QEMU's: CPPR and MFRR to 8 bits, the EOI'd XIRR to 32.
     */
    public long hcall(int caller, long[] regs, long timebase) {
        long nr = regs[0];
        synchronized (this) {
            Icp me = icp(caller);
            if (nr == H_CPPR) {
                setCppr(me, (int) (regs[1] & 0xff));
            } else if (nr == H_IPI) {
                Icp target = icpOrNull(regs[1]);
                if (target == null) {
                    return org.jvmm.kvm.spapr.Papr.H_PARAMETER;
                }
                setMfrr(target, (int) (regs[2] & 0xff));
            } else if (nr == H_XIRR || nr == H_XIRR_X) {
                regs[1] = accept(me) & 0xffff_ffffL;
                if (nr == H_XIRR_X) {
                    regs[2] = timebase;
                }
            } else if (nr == H_EOI) {
                eoi(me, (int) regs[1]);
            } else if (nr == H_IPOLL) {
                Icp target = icpOrNull(regs[1]);
                if (target == null) {
                    return org.jvmm.kvm.spapr.Papr.H_PARAMETER;
                }
                regs[1] = target.xirr & 0xffff_ffffL;
                regs[2] = target.mfrr;
            } else {
                throw new IllegalArgumentException("XICS: hcall 0x" + Long.toHexString(nr) + " is not an XICS hcall");
            }
        }
        return org.jvmm.kvm.spapr.Papr.H_SUCCESS;
    }

    // ---------------------------------------------------------------- ICP rules (QEMU hw/intc/xics.c)

    private void raise(Icp icp) {
        presented++;
        if (!icp.output) {
            icp.output = true;
            if (icp.sink != null) {
                icp.sink.set(true);
            }
        }
    }

    private void lower(Icp icp) {
        if (icp.output) {
            icp.output = false;
            if (icp.sink != null) {
                icp.sink.set(false);
            }
        }
    }

    private void checkIpi(Icp icp) {
        if (icp.xisr() != 0 && icp.pendingPriority <= icp.mfrr) {
            return;
        }
        if (icp.xisr() != 0) {
            reject(icp.xisr());
        }
        icp.xirr = (icp.xirr & ~XISR_MASK) | IPI;
        icp.pendingPriority = icp.mfrr;
        raise(icp);
    }

    private void resend(Icp icp) {
        if (icp.mfrr < icp.cppr()) {
            checkIpi(icp);
        }
        for (int i = claimed.nextSetBit(0); i >= 0; i = claimed.nextSetBit(i + 1)) {
            if (flags[i] == FLAG_LSI) {
                resendLsi(i);
            } else if (flags[i] == FLAG_MSI && (status[i] & REJECTED) != 0) {
                status[i] &= ~REJECTED;
                if (priority[i] != MASKED) {
                    present(i);
                }
            }
        }
    }

    private void setCppr(Icp icp, int cppr) {
        int old = icp.cppr();
        icp.xirr = (icp.xirr & XISR_MASK) | (cppr << 24);
        if (cppr < old) {
            if (icp.xisr() != 0 && cppr <= icp.pendingPriority) {
                int oldXisr = icp.xisr();
                icp.xirr &= ~XISR_MASK;
                icp.pendingPriority = MASKED;
                lower(icp);
                reject(oldXisr);
            }
        } else if (icp.xisr() == 0) {
            resend(icp);
        }
    }

    private void setMfrr(Icp icp, int mfrr) {
        icp.mfrr = mfrr;
        if (mfrr < icp.cppr()) {
            checkIpi(icp);
        }
    }

    private int accept(Icp icp) {
        lower(icp);
        int xirr = icp.xirr;
        icp.xirr = icp.pendingPriority << 24;
        icp.pendingPriority = MASKED;
        return xirr;
    }

    private void eoi(Icp icp, int xirr) {
        icp.xirr = (icp.xirr & XISR_MASK) | (xirr & ~XISR_MASK);
        int irq = xirr & XISR_MASK;
        if (validIrq(irq)) {
            if (flags[irq - IRQ_BASE] == FLAG_LSI) {
                status[irq - IRQ_BASE] &= ~SENT;
            }
            for (IntConsumer l : eoiListeners) {
                l.accept(irq);
            }
        }
        if (icp.xisr() == 0) {
            resend(icp);
        }
    }

    /** icp_irq: source {@code src} (an index) asks its server's ICP to present it. */
    private void present(int src) {
        int nr = src + IRQ_BASE;
        int prio = priority[src];
        Icp icp = icpOrNull(server[src]);
        if (icp == null || prio >= icp.cppr() || (icp.xisr() != 0 && icp.pendingPriority <= prio)) {
            rejectSource(src);
            return;
        }
        if (icp.xisr() != 0) {
            reject(icp.xisr());
        }
        icp.xirr = (icp.xirr & ~XISR_MASK) | nr;
        icp.pendingPriority = prio;
        raise(icp);
    }

    private void reject(int nr) {
        if (validIrq(nr)) {
            rejectSource(nr - IRQ_BASE);
        }
    }

    private void rejectSource(int src) {
        if (flags[src] == FLAG_MSI) {
            status[src] |= REJECTED;
        } else if (flags[src] == FLAG_LSI) {
            status[src] &= ~SENT;
        }
    }

    private void resendLsi(int src) {
        if (priority[src] != MASKED && (status[src] & ASSERTED) != 0 && (status[src] & SENT) == 0) {
            status[src] |= SENT;
            present(src);
        }
    }

    // ---------------------------------------------------------------- ICS (SpaprXics)

    @Override
    public boolean validIrq(long irq) {
        return irq >= IRQ_BASE && irq < IRQ_BASE + NR_IRQS;
    }

    private int src(long irq) {
        if (!validIrq(irq)) {
            throw new IllegalArgumentException("XICS: source 0x" + Long.toHexString(irq) + " outside the ICS [0x"
                    + Integer.toHexString(IRQ_BASE) + ", 0x" + Integer.toHexString(IRQ_BASE + NR_IRQS) + ")");
        }
        return (int) (irq - IRQ_BASE);
    }

    @Override
    public synchronized boolean claim(int irq, boolean lsi) {
        int s = src(irq);
        if (flags[s] != 0) {
            return false;
        }
        flags[s] = (byte) (lsi ? FLAG_LSI : FLAG_MSI);
        claimed.set(s);
        return true;
    }

    @Override
    public synchronized void free(int irq) {
        int s = src(irq);
        flags[s] = 0;
        claimed.clear(s);
        status[s] = 0;
        server[s] = 0;
        priority[s] = 0;
        savedPriority[s] = 0;
    }

    @Override
    public synchronized boolean claimedAs(int irq, boolean lsi) {
        int s = src(irq);
        return flags[s] == (lsi ? FLAG_LSI : FLAG_MSI);
    }

    @Override
    public synchronized void setXive(int irq, int srv, int prio, int saved) {
        int s = src(irq);
        server[s] = srv;
        priority[s] = (short) (prio & 0xff);
        savedPriority[s] = (short) (saved & 0xff);
        if (flags[s] == FLAG_LSI) {
            resendLsi(s);
        } else if ((status[s] & MASKED_PENDING) != 0 && priority[s] != MASKED) {
            status[s] &= ~MASKED_PENDING;
            present(s);
        }
    }

    @Override
    public synchronized int[] xiveState(int irq) {
        int s = src(irq);
        return new int[] {server[s], priority[s], savedPriority[s]};
    }

    @Override
    public synchronized void setIrq(int irq, boolean level) {
        int s = src(irq);
        if (level && (flags[s] != FLAG_LSI || (status[s] & ASSERTED) == 0)) {
            fired[s]++;
        }
        if (flags[s] == FLAG_LSI) {
            if (level) {
                status[s] |= ASSERTED;
            } else {
                status[s] &= ~ASSERTED;
            }
            resendLsi(s);
        } else if (level) {
            // An unclaimed source behaves as an MSI, as QEMU's ics_set_irq does for a non-LSI.
            if (priority[s] == MASKED) {
                status[s] |= MASKED_PENDING;
            } else {
                present(s);
            }
        }
    }

    @Override
    public synchronized java.util.SortedMap<Integer, Long> firedCounts() {
        java.util.SortedMap<Integer, Long> out = new java.util.TreeMap<>();
        for (int s = 0; s < NR_IRQS; s++) {
            if (fired[s] != 0) {
                out.put(IRQ_BASE + s, fired[s]);
            }
        }
        return out;
    }

    /**
     * Sets a source whole, as KVM_SET_DEVICE_ATTR of KVM_DEV_XICS_GRP_SOURCES does
     * (book3s_xics.c xics_set_source): type, server, priority, saved priority; what was pending
     * is forgotten; {@code pending} asserts an LSI or fires an MSI (held while masked).
     */
    public synchronized void setSource(int irq, int srv, int prio, int saved, boolean lsi, boolean pending) {
        int s = src(irq);
        flags[s] = (byte) (lsi ? FLAG_LSI : FLAG_MSI);
        claimed.set(s);
        server[s] = srv;
        priority[s] = (short) (prio & 0xff);
        savedPriority[s] = (short) (saved & 0xff);
        status[s] = 0;
        if (pending) {
            if (lsi) {
                status[s] |= ASSERTED;
                resendLsi(s);
            } else if (priority[s] == MASKED) {
                status[s] |= MASKED_PENDING;
            } else {
                present(s);
            }
        }
    }

    /** Whether {@code irq} is claimed (KVM: the source exists). */
    public synchronized boolean claimed(int irq) {
        return flags[src(irq)] != 0;
    }

    /** Whether source {@code irq} is asserted (LSI) or waits masked/rejected (MSI): KVM_XICS_PENDING. */
    public synchronized boolean pending(int irq) {
        int s = src(irq);
        return flags[s] == FLAG_LSI ? (status[s] & ASSERTED) != 0 : (status[s] & (MASKED_PENDING | REJECTED)) != 0;
    }
}
