package org.jvmm.accel.kvm;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.jvmm.kvm.Gsi;
import org.jvmm.kvm.GsiRoute;
import org.jvmm.kvm.MsiMessage;
import org.jvmm.kvm.Vm;
import org.jvmm.trace.Trace;

/**
 * The VM's GSI routing table, kept whole because KVM_SET_GSI_ROUTING replaces it whole (QEMU's
 * kvm_irqchip_add_msi_route and kvm_irqchip_commit_routes): the x86 default routes that
 * KVM_CREATE_IRQCHIP installs (GSIs 0-15 to the PIC and the IOAPIC, 16-23 to the IOAPIC) plus
 * one route per MSI vector, on GSIs from 24 up. Each change is committed at once.
 *
 * <p>Thread-safe: devices enable MSI from vCPU threads.
 */
public final class GsiRouter {
    public static final int IOAPIC_PINS = 24;
    private static final int FIRST_MSI_GSI = IOAPIC_PINS;

    private final Vm vm;
    private final TreeMap<Integer, MsiMessage> msiRoutes = new TreeMap<>();
    private long commits;

    public GsiRouter(Vm vm) {
        this.vm = vm;
    }

    /** Routes a new GSI to {@code message} and returns it. */
    public synchronized Gsi addMsiRoute(MsiMessage message) {
        int gsi = FIRST_MSI_GSI;
        while (msiRoutes.containsKey(gsi)) {
            gsi++;
        }
        msiRoutes.put(gsi, message);
        try {
            commit();
        } catch (RuntimeException e) {
            msiRoutes.remove(gsi);
            throw e;
        }
        Trace.msiRoute(gsi, "add", message.address(), message.data());
        return new Gsi(gsi);
    }

    /** Points an MSI route at a new message (the guest reprogrammed the device's MSI capability). */
    public synchronized void updateMsiRoute(Gsi gsi, MsiMessage message) {
        MsiMessage old = msiRoutes.get(gsi.value());
        if (old == null) {
            throw new IllegalStateException("gsi router: " + gsi + " has no MSI route to update");
        }
        msiRoutes.put(gsi.value(), message);
        try {
            commit();
        } catch (RuntimeException e) {
            msiRoutes.put(gsi.value(), old);
            throw e;
        }
        Trace.msiRoute(gsi.value(), "update", message.address(), message.data());
    }

    public synchronized void removeMsiRoute(Gsi gsi) {
        MsiMessage old = msiRoutes.remove(gsi.value());
        if (old == null) {
            throw new IllegalStateException("gsi router: " + gsi + " has no MSI route to remove");
        }
        commit();
        Trace.msiRoute(gsi.value(), "remove", old.address(), old.data());
    }

    public synchronized int msiRouteCount() {
        return msiRoutes.size();
    }

    /** The whole table as it is committed. */
    public synchronized List<GsiRoute> routes() {
        List<GsiRoute> routes = new ArrayList<>();
        for (int i = 0; i < IOAPIC_PINS; i++) {
            if (i < 16) {
                routes.add(new GsiRoute.IrqchipPin(new Gsi(i),
                        i < 8 ? GsiRoute.IrqchipPin.PIC_MASTER : GsiRoute.IrqchipPin.PIC_SLAVE, i % 8));
            }
            routes.add(new GsiRoute.IrqchipPin(new Gsi(i), GsiRoute.IrqchipPin.IOAPIC, i));
        }
        msiRoutes.forEach((gsi, msg) -> routes.add(new GsiRoute.Msi(new Gsi(gsi), msg)));
        return routes;
    }

    private void commit() {
        vm.setGsiRouting(routes());
        commits++;
    }
}
