package org.jvmm.devices.medu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.jvmm.devices.medu.MeduRig.IOVA;
import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.lang.foreign.ValueLayout;
import java.util.List;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.host.Errno;
import org.jvmm.host.sys.EventFd;
import org.jvmm.vfio.IrqData;
import org.jvmm.vfio.IrqSet;
import org.jvmm.vfio.iommu.Type1Iommu;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * medu's engine reaches guest memory only through the mdev interface (A.12 with ):
 * pinned pages kept between jobs, or vfio_dma_rw; mappings recorded without pinning until then.
 */
@DisplayName("medu A.12, A-20..A-24: DMA through pinned pages kept between jobs, or through vfio_dma_rw")
class MeduDmaThroughPinsAndDmaRw {

    /** "MAP_DMA ... records iova→vaddr and permissions, but pins nothing and charges nothing"; A-22: a page pinned already gets its pin count up; A.12: "keeps pins between jobs". */
    @Test
    @DisplayName("medu-pin: a round trip moves the bytes; two pages pinned once each and kept; MAP_DMA charged nothing")
    void pinRoundTrip() {
        try (MeduRig r = new MeduRig("medu-pin")) {
            r.map();
            assertEquals(0, r.rig.memlock.lockedBytes(), "MAP_DMA with only an mdev pins and charges nothing");
            for (int i = 0; i < 64; i++) {
                r.ram().set(ValueLayout.JAVA_BYTE, 0xff0 + i, (byte) (i + 1)); // straddles pages 0 and 1
            }
            r.dma(IOVA + 0xff0, 0, 64, false, false);
            assertEquals(2, r.medu.pinnedPages());
            assertEquals(8192, r.rig.memlock.lockedBytes(), "charged at pin time");
            r.dma(IOVA + 0x8000, 0, 64, true, false);
            for (int i = 0; i < 64; i++) {
                assertEquals((byte) (i + 1), r.ram().get(ValueLayout.JAVA_BYTE, 0x8000 + i));
            }
            Type1Iommu.MdevCounters c = r.type1().mdevCounters();
            assertEquals(3, c.pinCalls(), "pages 0 and 1 for the read, page 8 for the write");
            r.dma(IOVA + 0xff0, 0, 64, false, false);
            assertEquals(3, r.type1().mdevCounters().pinCalls(), "a second job reuses the pins");
            assertEquals(3, r.medu.pinnedPages());
            assertEquals(0, r.medu.dmaFaults());
            assertEquals(128, r.medu.edu().dmaBytesMoved() - 64);
        }
    }

    /** "vfio_dma_rw ... copies ... without pinning ... EPERM when a write hits a mapping without WRITE or any access hits a mapping without READ". */
    @Test
    @DisplayName("medu-rw: the round trip pins nothing; to a read-only mapping the write is EPERM and moves nothing")
    void dmaRw() {
        try (MeduRig r = new MeduRig("medu-rw")) {
            r.map();
            r.ram().set(ValueLayout.JAVA_LONG_UNALIGNED, 0x40, 0x1122334455667788L);
            r.dma(IOVA + 0x40, 0, 8, false, false);
            r.dma(IOVA + 0x3000, 0, 8, true, false);
            assertEquals(0x1122334455667788L, r.ram().get(ValueLayout.JAVA_LONG_UNALIGNED, 0x3000));
            assertEquals(0, r.type1().mdevCounters().pinCalls());
            assertEquals(0, r.rig.memlock.lockedBytes());
            assertNull(r.medu.lastDmaError());
        }
        try (MeduRig r = new MeduRig("medu-rw")) {
            r.map(VFIO_DMA_MAP_FLAG_READ);
            r.dma(IOVA + 0x3000, 0, 8, true, false);
            assertEquals(1, r.medu.dmaFaults());
            assertEquals(Errno.EPERM, r.medu.lastDmaError().errno());
            assertEquals(0, r.ram().get(ValueLayout.JAVA_LONG_UNALIGNED, 0x3000));
        }
    }

    /** "the mapping's permissions lack any bit of prot EPERM"; "no mapping covering it EINVAL". */
    @Test
    @DisplayName("medu-pin: a write to a read-only mapping is EPERM, a read of an unmapped IOVA EINVAL; both move nothing")
    void pinRefusals() {
        try (MeduRig r = new MeduRig("medu-pin")) {
            r.map(VFIO_DMA_MAP_FLAG_READ);
            r.dma(IOVA, 0, 16, true, false);
            assertEquals(Errno.EPERM, r.medu.lastDmaError().errno());
            r.dma(IOVA + MeduRig.RAM, 0, 16, false, false);
            assertEquals(Errno.EINVAL, r.medu.lastDmaError().errno());
            assertEquals(2, r.medu.dmaFaults());
            assertEquals(0, r.medu.pinnedPages());
            assertEquals(0, r.medu.edu().dmaBytesMoved());
        }
    }

    /** "charging it would exceed RLIMIT_MEMLOCK ENOMEM (charged only when no IOMMU-backed domain exists)"; Part D item 6, lazy charging fails at pin time, not at MAP_DMA. */
    @Test
    @DisplayName("RLIMIT_MEMLOCK 8 KiB: MAP_DMA of 64 KiB succeeds; the third page's pin is ENOMEM; all-or-nothing leaves two pins")
    void smallMemlock() {
        try (MeduRig r = new MeduRig("medu-pin", MeduDriver.Options.defaults(), 8192)) {
            r.map();
            r.dma(IOVA, 0, 4096, false, false);
            r.dma(IOVA + 0x1000, 0, 4096, false, false);
            assertEquals(8192, r.rig.memlock.lockedBytes());
            r.dma(IOVA + 0x2000, 0, 16, false, false);
            assertEquals(1, r.medu.dmaFaults());
            assertEquals(Errno.ENOMEM, r.medu.lastDmaError().errno());
            assertEquals("vfio_pin_pages", r.medu.lastDmaError().operation());
            assertEquals(2, r.medu.pinnedPages());
            assertEquals(8192, r.rig.memlock.lockedBytes());
        }
    }

    /** close_device "must unpin everything and drop eventfds"; A-30: teardown with pins left is a warning, so vendors unpin at close. */
    @Test
    @DisplayName("close_device unpins every page and uncharges it; no TYPE1 warning")
    void closeUnpins() {
        MeduRig r = new MeduRig("medu-pin");
        r.map();
        r.dma(IOVA + 0x800, 0, 4096, false, false);
        r.dma(IOVA + 0x5000, 0, 16, true, false);
        assertEquals(3, r.medu.pinnedPages());
        r.device().close();
        assertEquals(0, r.medu.pinnedPages());
        assertEquals(0, r.type1().externallyPinnedPages());
        assertEquals(0, r.rig.memlock.lockedBytes());
        assertEquals(List.of(), r.type1().warnings());
        r.opened.group().close();
        r.opened.container().close();
    }

    /** edu's interrupts through the mdev: INTx (auto-masked until UNMASK) and MSI through eventfds. */
    @Test
    @DisplayName("DMA completion interrupts: MSI through its eventfd; INTx fires once, auto-masks, fires again on UNMASK")
    void interrupts() throws Exception {
        try (MeduRig r = new MeduRig("medu-pin"); EventFd intx = EventFd.create(); EventFd msi = EventFd.create()) {
            r.map();
            r.device().setIrqs(IrqSet.of(VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_PCI_INTX_IRQ_INDEX, 0, 1,
                    new IrqData.EventFds(List.of(intx))));
            r.dma(IOVA, 0, 8, false, true);
            assertTrue(intx.testAndClear());
            assertEquals(EduDevice.DMA_IRQ, r.reg(EduDevice.REG_IRQ_STATUS, 4));
            r.device().setIrqs(IrqSet.of(VFIO_IRQ_SET_ACTION_UNMASK, VFIO_PCI_INTX_IRQ_INDEX, 0, 1, new IrqData.None()));
            assertTrue(intx.testAndClear(), "the line is still asserted: unmask fires again");
            r.reg(EduDevice.REG_IRQ_ACK, 4, EduDevice.DMA_IRQ);
            r.device().setIrqs(IrqSet.of(VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_PCI_INTX_IRQ_INDEX, 0, 0, new IrqData.None()));
            r.device().setIrqs(IrqSet.of(VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_PCI_MSI_IRQ_INDEX, 0, 1,
                    new IrqData.EventFds(List.of(msi))));
            r.dma(IOVA, 0, 8, false, true);
            assertTrue(msi.testAndClear());
            assertEquals(3, r.medu.interrupts());
            org.jvmm.host.ErrnoException e = assertThrows(org.jvmm.host.ErrnoException.class,
                    () -> r.device().setIrqs(IrqSet.of(VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_PCI_MSIX_IRQ_INDEX, 0, 1,
                            new IrqData.None())));
            assertEquals(Errno.EINVAL, e.errno());
        }
    }
}
