package org.jvmm.trace;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import org.jvmm.host.trace.Jfr;
import org.jvmm.journal.Journal;
import org.jvmm.journal.JournalCategory;

/**
 * The event types of the trace catalog, and one static method to emit each; each also feeds the
 * journal ({@link Journal}) when it records the event's category. No event object is made (and no
 * event class loaded) before the flight recorder has started ({@link Jfr#started}).
 */
public final class Trace {
    private Trace() {
    }

    @Name("jvmm.VcpuExit")
    @Label("vCPU exit handled")
    @Category("jvmm")
    @StackTrace(false)
    static final class VcpuExitEvent extends Event {
        @Label("Kind")
        String kind;
        @Label("Detail")
        String detail;
    }

    @Name("jvmm.Memslot")
    @Label("KVM memslot")
    @Category("jvmm")
    @StackTrace(false)
    static final class MemslotEvent extends Event {
        @Label("Added")
        boolean added;
        @Label("Guest address")
        long guestAddress;
        @Label("Size")
        long size;
        @Label("Host address")
        long hostAddress;
    }

    @Name("jvmm.VfioDma")
    @Label("VFIO DMA map or unmap")
    @Category("jvmm")
    @StackTrace(false)
    static final class VfioDmaEvent extends Event {
        @Label("Map")
        boolean map;
        @Label("IOVA")
        long iova;
        @Label("Size")
        long size;
        @Description("The errno message when the call failed, else empty")
        @Label("Error")
        String error;
    }

    @Name("jvmm.BarFault")
    @Label("BAR faulted into the guest")
    @Category("jvmm")
    @StackTrace(false)
    static final class BarFaultEvent extends Event {
        @Label("Device")
        String device;
        @Label("BAR")
        int bar;
    }

    @Name("jvmm.MsiRoute")
    @Label("MSI route changed")
    @Category("jvmm")
    @StackTrace(false)
    static final class MsiRouteEvent extends Event {
        @Label("GSI")
        int gsi;
        @Label("Change")
        String change;
        @Label("Address")
        long address;
        @Label("Data")
        int data;
    }

    @Name("jvmm.Vtd")
    @Label("virtual VT-d")
    @Category("jvmm")
    @StackTrace(false)
    static final class VtdEvent extends Event {
        @Description("walk, invalidate, fault, page-request, page-response, bind, unbind")
        @Label("Kind")
        String kind;
        @Label("Source id")
        int sid;
        @Label("PASID")
        int pasid;
        @Label("Address")
        long address;
        @Description("walk: the GPA or the fault reason; invalidate: descriptor type << 8 | granularity; fault: the reason;"
                + " page-request: the group index; page-response: the code; bind: the first-stage pointer")
        @Label("Value")
        long value;
    }

    /** The virtual VT-d did {@code kind} (a constant) for (sid, pasid) at {@code address}; see VtdEvent for {@code value}. */
    public static void vtd(String kind, int sid, int pasid, long address, long value) {
        if (Journal.on(JournalCategory.VTD)) {
            Journal.record(JournalCategory.VTD, kind, sid, pasid, address, value, "");
        }
        VtdEvent e = new VtdEvent();
        if (e.isEnabled()) {
            e.kind = kind;
            e.sid = sid;
            e.pasid = pasid;
            e.address = address;
            e.value = value;
            e.commit();
        }
    }

    public static void vcpuExit(String kind, Object exit) {
        if (!Jfr.started()) {
            return;
        }
        VcpuExitEvent e = new VcpuExitEvent();
        if (e.isEnabled()) {
            e.kind = kind;
            e.detail = String.valueOf(exit);
            e.commit();
        }
    }

    public static void memslot(boolean added, long guestAddress, long size, long hostAddress) {
        if (Journal.on(JournalCategory.MEMSLOT)) {
            Journal.record(JournalCategory.MEMSLOT, added ? "add" : "remove", guestAddress, size, 0, 0, "");
        }
        if (!Jfr.started()) {
            return;
        }
        MemslotEvent e = new MemslotEvent();
        if (e.isEnabled()) {
            e.added = added;
            e.guestAddress = guestAddress;
            e.size = size;
            e.hostAddress = hostAddress;
            e.commit();
        }
    }

    public static void vfioDma(boolean map, long iova, long size, String error) {
        if (!Jfr.started()) {
            return;
        }
        VfioDmaEvent e = new VfioDmaEvent();
        if (e.isEnabled()) {
            e.map = map;
            e.iova = iova;
            e.size = size;
            e.error = error == null ? "" : error;
            e.commit();
        }
    }

    public static void barFault(String device, int bar) {
        if (Journal.on(JournalCategory.BAR)) {
            Journal.record(JournalCategory.BAR, "fault", bar, 0, 0, 0, device);
        }
        if (!Jfr.started()) {
            return;
        }
        BarFaultEvent e = new BarFaultEvent();
        if (e.isEnabled()) {
            e.device = device;
            e.bar = bar;
            e.commit();
        }
    }

    public static void msiRoute(int gsi, String change, long address, int data) {
        if (Journal.on(JournalCategory.IRQ)) {
            Journal.record(JournalCategory.IRQ, "msi-" + change, gsi, address, data & 0xffffffffL, 0, "");
        }
        if (!Jfr.started()) {
            return;
        }
        MsiRouteEvent e = new MsiRouteEvent();
        if (e.isEnabled()) {
            e.gsi = gsi;
            e.change = change;
            e.address = address;
            e.data = data;
            e.commit();
        }
    }
}
