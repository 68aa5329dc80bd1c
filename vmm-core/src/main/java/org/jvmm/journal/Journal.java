package org.jvmm.journal;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import org.jvmm.host.trace.TraceHook;
import org.jvmm.kvm.VcpuExit;

/**
 * The VMM's one journal sink. The trace points ({@link org.jvmm.trace.Trace}, the exit dispatcher,
 * the monitor, vfio-device's {@link TraceHook}) ask {@link #on} first: with no journal open, or
 * the category not selected, that is one volatile read and a bit test, and nothing is built.
 *
 * <p>Chronicle Queue reports usage analytics to an outside host unless
 * {@code chronicle.analytics.disable=true} is set before it loads: this class sets it as it
 * loads, before any Chronicle class is touched (the launcher and surefire set it too).
 */
public final class Journal {
    static {
        System.setProperty("chronicle.analytics.disable", "true");
    }

    private static volatile int mask;
    private static volatile JournalWriter writer;

    private Journal() {
    }

    /** True when events of {@code c} are being journalled. */
    public static boolean on(JournalCategory c) {
        return (mask & c.bit) != 0;
    }

    /** True when exits, MMIO exits or hypercall exits are being journalled (the dispatcher's one test). */
    public static boolean exitsOn() {
        return (mask & (JournalCategory.EXIT.bit | JournalCategory.MMIO.bit | JournalCategory.HCALL.bit)) != 0;
    }

    /**
     * Starts journalling {@code categories} to a Chronicle Queue in {@code dir} (appending to what is
     * there). One journal per process at a time.
     */
    public static synchronized JournalWriter open(Path dir, Set<JournalCategory> categories) {
        if (writer != null) {
            throw new IllegalStateException("-journal " + dir + ": a journal is open already (" + writer.dir() + ")");
        }
        JournalWriter w = new JournalWriter(dir);
        writer = w;
        int m = JournalCategory.RUN.bit;
        for (JournalCategory c : categories) {
            m |= c.bit;
        }
        mask = m;
        TraceHook.install(new Hook());
        return w;
    }

    /** Stops journalling and closes the queue. */
    public static synchronized void close() {
        mask = 0;
        TraceHook.install(null);
        JournalWriter w = writer;
        writer = null;
        if (w != null) {
            w.close();
        }
    }

    /** Appends an event of {@code c} (callers test {@link #on} first). */
    public static void record(JournalCategory c, String kind, long a, long b, long cc, long d, String text) {
        JournalWriter w = writer;
        if (w != null && (mask & c.bit) != 0) {
            try {
                w.append(c, kind, a, b, cc, d, text == null ? "" : text);
            } catch (RuntimeException e) {
                // a full disk or a broken queue must not stop the machine: the journal stops, saying why
                mask = 0;
                System.err.println("jvmm: journal " + w.dir() + ": stopped recording: " + e);
            }
        }
    }

    /** An exit the dispatcher handled: EXIT, and MMIO (the value in the CPU's byte order) or HCALL detail when selected. */
    public static void exit(String kind, VcpuExit exit, java.nio.ByteOrder cpuOrder) {
        int m = mask;
        if ((m & JournalCategory.EXIT.bit) != 0) {
            String detail = exit instanceof VcpuExit.Io io ? (io.direction() == VcpuExit.Direction.OUT ? "out" : "in") + " port 0x"
                    + Integer.toHexString(io.port()) + " size " + io.size() : "";
            record(JournalCategory.EXIT, kind.toLowerCase(java.util.Locale.ROOT), 0, 0, 0, 0, detail);
        }
        if ((m & JournalCategory.MMIO.bit) != 0 && exit instanceof VcpuExit.Mmio mm) {
            long value = org.jvmm.address.bytes.Bytes.isAccessSize(mm.length())
                    ? org.jvmm.address.bytes.Bytes.load(mm.data(), 0, mm.length(), cpuOrder) : 0;
            record(JournalCategory.MMIO, mm.isWrite() ? "write" : "read", mm.address().value(), mm.length(), value, 0, "");
        }
        if ((m & JournalCategory.HCALL.bit) != 0 && exit instanceof VcpuExit.PaprHcall h) {
            record(JournalCategory.HCALL, "hcall", h.nr(), arg(h, 0), arg(h, 1), arg(h, 2), "status " + h.status());
        }
    }

    private static long arg(VcpuExit.PaprHcall h, int i) {
        return i < h.args().size() ? h.args().get(i) : 0;
    }

    /** Every category but RUN, for {@code -journal DIR} without {@code categories=}. */
    public static Set<JournalCategory> all() {
        return EnumSet.complementOf(EnumSet.of(JournalCategory.RUN));
    }

    /** vfio-device's events, into the journal. */
    private static final class Hook implements TraceHook {
        @Override
        public void dma(boolean map, long iova, long size, int errno) {
            if (on(JournalCategory.DMA)) {
                record(JournalCategory.DMA, map ? "map" : "unmap", iova, size, errno, 0, "");
            }
        }

        @Override
        public void iommuFault(String device, long iova, long size, String access, String reason) {
            if (on(JournalCategory.IOMMU)) {
                record(JournalCategory.IOMMU, access.toLowerCase(java.util.Locale.ROOT), iova, size, 0, 0, device + " "
                        + reason.toLowerCase(java.util.Locale.ROOT));
            }
        }

        @Override
        public void interrupt(String device, int vector) {
            if (on(JournalCategory.IRQ)) {
                record(JournalCategory.IRQ, vector < 0 ? "intx" : "msi", vector, 0, 0, 0, device);
            }
        }

        @Override
        public void guestError(String device, String kind, String message) {
            if (on(JournalCategory.GUEST_ERROR)) {
                record(JournalCategory.GUEST_ERROR, kind, 0, 0, 0, 0, device + ": " + message);
            }
        }
    }
}
