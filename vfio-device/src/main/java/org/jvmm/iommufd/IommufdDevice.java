package org.jvmm.iommufd;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import org.jvmm.pci.PasidSpec;
import org.jvmm.pci.host.HostPciFunction;

/**
 * A device bound to an iommufd (struct iommufd_device, made by iommufd_device_bind when a VFIO
 * device cdev does VFIO_DEVICE_BIND_IOMMUFD): its dev_id, the HWPT its RID (requests without a
 * PASID) is attached to, and the HWPT of each attached PASID. Only its VFIO file destroys it
 * (by unbinding); IOMMU_DESTROY of its ID is EBUSY.
 */
public final class IommufdDevice extends IommufdObject {
    final Iommufd ctx;
    final HostPciFunction function;
    Hwpt rid;
    final Map<Integer, Hwpt> pasids = new HashMap<>();
    /** How many attachments of this device use each IOAS (its reserved regions live there while any do). */
    final Map<Ioas, Integer> ioasUse = new IdentityHashMap<>();
    boolean unbound;

    IommufdDevice(int id, Iommufd ctx, HostPciFunction function) {
        super(id);
        this.ctx = ctx;
        this.function = function;
    }

    @Override
    String kind() {
        return "device";
    }

    @Override
    String busyReason() {
        return "a VFIO device file holds it (unbind by closing the device)";
    }

    public HostPciFunction function() {
        return function;
    }

    public Iommufd iommufd() {
        return ctx;
    }

    /**
     * The device's PASID width in bits (its PCIe PASID capability's Max PASID Width, limited by
     * the IOMMU's 20 bits), 0 for a device without PASID.
     */
    public int maxPasidLog2() {
        PasidSpec p = function.model() == null ? null : function.model().pasid();
        return p == null || !function.model().isPcie() ? 0 : Math.min(p.widthBits(), Iommufd.IOMMU_PASID_BITS);
    }

    /** The HWPT the RID is attached to, or null (blocked). */
    public Hwpt attached() {
        synchronized (ctx) {
            return rid;
        }
    }

    /** The HWPT attached to {@code pasid}, or null. */
    public Hwpt attachedPasid(int pasid) {
        synchronized (ctx) {
            return pasids.get(pasid);
        }
    }

    /** iommufd_device_attach / replace: attaches the RID ({@code pasid} 0) or a PASID to {@code ptId}; the HWPT ID attached. */
    public int attach(int pasid, int ptId) {
        return ctx.attach(this, pasid, ptId);
    }

    /** iommufd_device_detach: the RID ({@code pasid} 0) or the PASID blocks DMA again; nothing when not attached. */
    public void detach(int pasid) {
        ctx.detach(this, pasid);
    }

    /** iommufd_device_unbind: detaches everything and removes the device from the iommufd. */
    public void unbind() {
        ctx.unbind(this);
    }
}
