package org.jvmm.pci.host;

import java.util.concurrent.atomic.LongAdder;
import org.jvmm.pci.DmaPort;
import org.jvmm.pci.InterruptSink;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.PciConfigSpace;
import org.jvmm.pci.PciDeviceModel;
import org.jvmm.pci.PciIdentity;
import org.jvmm.iommu.DeviceDmaPort;
import org.jvmm.iommu.DmaDomain;
import org.jvmm.iommu.DmaRequester;

/**
 * One function on the host's PCI bus (/sys/bus/pci/devices/dddd:bb:dd.f): an endpoint backed by
 * a {@link PciDeviceModel}, or a bridge. Knows its place in the topology, its IOMMU group, the
 * driver bound to it and its driver_override.
 *
 * <p>Driver and override state change under the platform's lock. The config space belongs to the
 * bound driver (vfio-pci serialises access to it). Interrupts from the model go to the current
 * {@link #setInterruptTarget interrupt target} (none while no driver listens: dropped).
 */
public final class HostPciFunction implements DmaRequester, InterruptSink {
    private final PciAddress address;
    private final PciIdentity identity;
    private final BridgeType bridgeType;
    private final int secondaryBus;
    private final boolean acs;
    private final PciDeviceModel model;
    private final String nativeDriver;
    private HostPciFunction parent;
    private boolean multifunction;
    private IommuGroup group;
    private PciConfigSpace config;
    private DeviceDmaPort dmaPort;
    private final LongAdder msiMessages = new LongAdder();
    private final LongAdder intxAssertions = new LongAdder();
    /** The most vectors a function has: an MSI-X table holds at most 2048 entries (MSI 32). */
    private static final int MAX_VECTORS = 2048;
    /** MSI/MSI-X messages per vector; made at the first message (most functions send none). */
    private volatile java.util.concurrent.atomic.AtomicLongArray msiPerVector;
    private final Object perVectorLock = new Object();

    private PciDriver driver;
    private String driverOverride;
    private Object driverData;
    private volatile InterruptSink interruptTarget;
    private final org.jvmm.iommu.PasidAttachments pasids = new org.jvmm.iommu.PasidAttachments();

    HostPciFunction(PciAddress address, PciIdentity identity, BridgeType bridgeType, int secondaryBus, boolean acs,
            PciDeviceModel model, String nativeDriver) {
        this.address = address;
        this.identity = identity;
        this.bridgeType = bridgeType;
        this.secondaryBus = secondaryBus;
        this.acs = acs;
        this.model = model;
        this.nativeDriver = nativeDriver;
    }

    void finish(HostPciFunction parent, boolean multifunction, IommuGroup group, org.jvmm.iommu.IommuFaultLog faults) {
        this.parent = parent;
        this.multifunction = multifunction;
        this.group = group;
        if (model != null) {
            this.config = new PciConfigSpace(model, multifunction);
            this.dmaPort = new DeviceDmaPort(this, faults);
            model.connect(dmaPort, this);
        }
    }

    @Override
    public PciAddress address() {
        return address;
    }

    public PciIdentity identity() {
        return identity;
    }

    public boolean isBridge() {
        return bridgeType != null;
    }

    /** The bridge kind, or null for an endpoint. */
    public BridgeType bridgeType() {
        return bridgeType;
    }

    /** For a bridge, the bus number behind it; -1 for an endpoint. */
    public int secondaryBus() {
        return secondaryBus;
    }

    /** True when the function has ACS enabled (isolates peer-to-peer traffic). */
    public boolean hasAcs() {
        return acs;
    }

    public boolean isMultifunction() {
        return multifunction;
    }

    /** The bridge above this function, or null on a root bus. */
    public HostPciFunction parent() {
        return parent;
    }

    /** The device model (endpoints), or null (bridges). */
    public PciDeviceModel model() {
        return model;
    }

    /** The function's config space (endpoints), or null. */
    public PciConfigSpace config() {
        return config;
    }

    public IommuGroup iommuGroup() {
        return group;
    }

    /** The name of the host driver whose id table matches this function, or null. */
    public String nativeDriver() {
        return nativeDriver;
    }

    /** The bound driver's name, or null when no driver is bound. */
    public String driverName() {
        return driver == null ? null : driver.name();
    }

    PciDriver driver() {
        return driver;
    }

    void setDriver(PciDriver driver) {
        this.driver = driver;
    }

    /** driver_override, or null when not set. */
    public String driverOverride() {
        return driverOverride;
    }

    void setDriverOverride(String name) {
        this.driverOverride = name;
    }

    /** Per-device state of the bound driver (vfio-pci keeps its core device here). */
    public Object driverData() {
        return driverData;
    }

    public void setDriverData(Object data) {
        this.driverData = data;
    }

    /** Where the model's interrupts go now; null drops them. */
    public void setInterruptTarget(InterruptSink target) {
        this.interruptTarget = target;
    }

    /** The DMA port the model was given (it counts the bytes moved). */
    public DeviceDmaPort dmaPort() {
        return dmaPort;
    }

    /** MSI/MSI-X messages the model has sent, whether or not anyone listened. */
    public long msiMessages() {
        return msiMessages.sum();
    }

    /** MSI/MSI-X messages the model has sent per vector, for the vectors that sent any, in vector order. */
    public java.util.SortedMap<Integer, Long> msiMessagesPerVector() {
        java.util.SortedMap<Integer, Long> out = new java.util.TreeMap<>();
        java.util.concurrent.atomic.AtomicLongArray counts = msiPerVector;
        if (counts != null) {
            for (int v = 0; v < MAX_VECTORS; v++) {
                long n = counts.get(v);
                if (n != 0) {
                    out.put(v, n);
                }
            }
        }
        return out;
    }

    private java.util.concurrent.atomic.AtomicLongArray perVectorCounts() {
        synchronized (perVectorLock) {
            if (msiPerVector == null) {
                msiPerVector = new java.util.concurrent.atomic.AtomicLongArray(MAX_VECTORS);
            }
            return msiPerVector;
        }
    }

    /** Guest errors the model recorded ({@link org.jvmm.pci.GuestErrorLog}); 0 for a model that keeps none. */
    public long guestErrorCount() {
        org.jvmm.pci.GuestErrorLog log = model == null ? null : model.guestErrors();
        return log == null ? 0 : log.count();
    }

    /** Times the model asserted its INTx line. */
    public long intxAssertions() {
        return intxAssertions.sum();
    }

    @Override
    public boolean busMasterEnabled() {
        PciConfigSpace c = config;
        return c != null && c.busMaster();
    }

    @Override
    public DmaDomain dmaDomain() {
        return group.dmaDomain();
    }

    /** The function's per-PASID domains (attached by iommufd; empty otherwise). */
    public org.jvmm.iommu.PasidAttachments pasids() {
        return pasids;
    }

    @Override
    public DmaDomain pasidDomain(int pasid) {
        return pasids.domain(pasid);
    }

    @Override
    public void setIntx(boolean asserted) {
        InterruptSink t = interruptTarget;
        if (asserted) {
            intxAssertions.increment();
            org.jvmm.host.trace.TraceHook hook = org.jvmm.host.trace.TraceHook.installed();
            if (hook != null) {
                hook.interrupt(address.toString(), -1);
            }
        }
        if (t != null) {
            t.setIntx(asserted);
        }
    }

    @Override
    public boolean msiEnabled() {
        InterruptSink t = interruptTarget;
        return t != null && t.msiEnabled();
    }

    @Override
    public boolean msixEnabled() {
        InterruptSink t = interruptTarget;
        return t != null && t.msixEnabled();
    }

    @Override
    public void signalMsi(int vector) {
        InterruptSink t = interruptTarget;
        msiMessages.increment();
        if (vector >= 0 && vector < MAX_VECTORS) { // a model's vector outside every table counts in the total only
            java.util.concurrent.atomic.AtomicLongArray perVector = msiPerVector;
            (perVector != null ? perVector : perVectorCounts()).incrementAndGet(vector);
        }
        org.jvmm.host.trace.TraceHook hook = org.jvmm.host.trace.TraceHook.installed();
        if (hook != null) {
            hook.interrupt(address.toString(), vector);
        }
        if (t != null) {
            t.signalMsi(vector);
        }
    }

    @Override
    public String toString() {
        return address + " " + identity.ids() + (isBridge() ? " bridge " + bridgeType : "")
                + " driver=" + (driver == null ? "none" : driver.name());
    }
}
