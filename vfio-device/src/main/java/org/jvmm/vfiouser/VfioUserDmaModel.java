package org.jvmm.vfiouser;

import java.lang.foreign.MemorySegment;
import java.util.List;
import org.jvmm.address.Iova;
import org.jvmm.iommu.DmaRequester;
import org.jvmm.pci.BarSpec;
import org.jvmm.pci.DmaPort;
import org.jvmm.pci.GuestErrorLog;
import org.jvmm.pci.InterruptSink;
import org.jvmm.pci.MsixSpec;
import org.jvmm.pci.PasidSpec;
import org.jvmm.pci.PciDeviceModel;
import org.jvmm.pci.PciIdentity;

/**
 * A host device model as a vfio-user server serves it: everything is the wrapped model's, except
 * that its DMA port first asks the connected {@link VfioUserServer} whether the address lies in a
 * range the client mapped without a file descriptor; such DMA becomes DMA_READ / DMA_WRITE
 * messages to the client. All other DMA goes through the platform's port (the IOMMU), where the
 * server's DMA_MAP with an fd put the client's memory.
 *
 * <p>This is the one hook the server needs into the device's DMA: it wraps the model before the
 * host platform is built, so neither the platform nor the IOMMU knows about vfio-user.
 */
public final class VfioUserDmaModel implements PciDeviceModel {
    private final PciDeviceModel inner;
    private volatile VfioUserServer server;

    public VfioUserDmaModel(PciDeviceModel inner) {
        this.inner = inner;
    }

    /** The wrapped model. */
    public PciDeviceModel inner() {
        return inner;
    }

    /** The server whose message-mode ranges the device's DMA may hit now (null: none). */
    void serveThrough(VfioUserServer s) {
        server = s;
    }

    void detach(VfioUserServer s) {
        if (server == s) {
            server = null;
        }
    }

    @Override
    public PciIdentity identity() {
        return inner.identity();
    }

    @Override
    public List<BarSpec> bars() {
        return inner.bars();
    }

    @Override
    public int interruptPin() {
        return inner.interruptPin();
    }

    @Override
    public int msiVectors() {
        return inner.msiVectors();
    }

    @Override
    public MsixSpec msix() {
        return inner.msix();
    }

    @Override
    public boolean isPcie() {
        return inner.isPcie();
    }

    @Override
    public PasidSpec pasid() {
        return inner.pasid();
    }

    @Override
    public boolean canReset() {
        return inner.canReset();
    }

    @Override
    public MemorySegment barMemory(int bar) {
        return inner.barMemory(bar);
    }

    @Override
    public long barRead(int bar, long offset, int size) {
        return inner.barRead(bar, offset, size);
    }

    @Override
    public void barWrite(int bar, long offset, int size, long value) {
        inner.barWrite(bar, offset, size, value);
    }

    @Override
    public void reset() {
        inner.reset();
    }

    @Override
    public GuestErrorLog guestErrors() {
        return inner.guestErrors();
    }

    @Override
    public void connect(DmaPort dma, InterruptSink interrupts) {
        DmaRequester requester = interrupts instanceof DmaRequester r ? r : null;
        inner.connect(new Port(dma, requester), interrupts);
    }

    /** The device's port: message-mode ranges first, then the platform's port. */
    private final class Port implements DmaPort {
        private final DmaPort platform;
        private final DmaRequester requester;

        Port(DmaPort platform, DmaRequester requester) {
            this.platform = platform;
            this.requester = requester;
        }

        private long viaMessages(Iova iova, MemorySegment buffer, boolean toMemory) {
            VfioUserServer s = server;
            if (s == null || buffer.byteSize() == 0) {
                return -1;
            }
            return s.messageDma(iova.value(), buffer, toMemory, requester == null || requester.busMasterEnabled());
        }

        @Override
        public long read(Iova iova, MemorySegment dst) {
            long n = viaMessages(iova, dst, false);
            return n >= 0 ? n : platform.read(iova, dst);
        }

        @Override
        public long write(Iova iova, MemorySegment src) {
            long n = viaMessages(iova, src, true);
            return n >= 0 ? n : platform.write(iova, src);
        }

        @Override
        public long read(int pasid, Iova addr, MemorySegment dst) {
            return pasid == NO_PASID ? read(addr, dst) : platform.read(pasid, addr, dst);
        }

        @Override
        public long write(int pasid, Iova addr, MemorySegment src) {
            return pasid == NO_PASID ? write(addr, src) : platform.write(pasid, addr, src);
        }

        @Override
        public void pageRequest(int pasid, Iova addr, boolean write, java.util.function.IntConsumer response) {
            platform.pageRequest(pasid, addr, write, response);
        }
    }
}
