package org.jvmm.devices.mtty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.host.sys.EventFd;
import org.jvmm.testing.MdevRig;
import org.jvmm.vfio.DeviceInfo;
import org.jvmm.vfio.IrqData;
import org.jvmm.vfio.IrqInfo;
import org.jvmm.vfio.IrqSet;
import org.jvmm.vfio.RegionInfo;
import org.jvmm.vfio.VfioDevice;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Rules, the mtty sample (samples/vfio-mdev/mtty.c), driven through the VFIO device API. */
@DisplayName("mtty A-40..A-47: two types on a 24-port pool, 16550 registers with loopback, INTx/MSI, no DMA")
class MttyRule40To47Sample {
    private static final String TYPES = "/sys/class/mdev_bus/mtty/mdev_supported_types/";
    private static final String U = "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001";
    private static final long CFG = (long) VFIO_PCI_CONFIG_REGION_INDEX << 40;
    private static final long BAR0 = 0;
    private static final long BAR1 = 1L << 40;

    private static MdevRig.Opened mtty(MdevRig rig, String type) {
        MttyDriver.load(rig.bus);
        rig.bus.write(TYPES + type + "/create", U + "\n");
        return rig.open(U);
    }

    private static long read(VfioDevice d, long off, int size) {
        MemorySegment b = MemorySegment.ofArray(new byte[size]);
        assertEquals(size, d.read(off, b));
        long v = 0;
        for (int i = 0; i < size; i++) {
            v |= (long) (b.get(ValueLayout.JAVA_BYTE, i) & 0xff) << (8 * i);
        }
        return v;
    }

    private static void write(VfioDevice d, long off, int size, long value) {
        MemorySegment b = MemorySegment.ofArray(new byte[size]);
        for (int i = 0; i < size; i++) {
            b.set(ValueLayout.JAVA_BYTE, i, (byte) (value >>> (8 * i)));
        }
        assertEquals(size, d.write(off, b));
    }

    private static void assertErrno(Errno errno, String op, Executable call) {
        ErrnoException e = assertThrows(ErrnoException.class, call);
        assertEquals(errno, e.errno(), e.getMessage());
        assertEquals(op, e.operation(), e.getMessage());
    }

    /** "types mtty-1 ("Single port serial", 1 port) and mtty-2 ("Dual port serial", 2 ports). A pool of 24 ports is shared by all instances; available_instances = free ports ÷ ports per instance; creating past the pool is ENOSPC". */
    @Test
    @DisplayName("A-40: 24 ports shared by mtty-1 and mtty-2; past the pool the probe is ENOSPC; removal gives the ports back")
    void portPool() {
        MdevRig rig = new MdevRig();
        MttyDriver.load(rig.bus);
        for (int i = 0; i < 11; i++) {
            rig.bus.write(TYPES + "mtty-2/create", String.format("00000000-0000-0000-0000-%012d", i));
        }
        rig.bus.write(TYPES + "mtty-1/create", "00000000-0000-0000-0001-000000000000");
        assertEquals("1\n", rig.bus.read(TYPES + "mtty-1/available_instances"));
        assertEquals("0\n", rig.bus.read(TYPES + "mtty-2/available_instances"));
        assertErrno(Errno.ENOSPC, "probe mtty " + U, () -> rig.bus.write(TYPES + "mtty-2/create", U));
        rig.bus.write(TYPES + "mtty-1/create", U);
        assertErrno(Errno.ENOSPC, "probe mtty 00000000-0000-0000-0002-000000000000",
                () -> rig.bus.write(TYPES + "mtty-1/create", "00000000-0000-0000-0002-000000000000"));
        rig.bus.write("/sys/bus/mdev/devices/00000000-0000-0000-0000-000000000003/remove", "1");
        assertEquals("1\n", rig.bus.read(TYPES + "mtty-2/available_instances"));
    }

    /** "vendor 0x4348, device 0x3253, subsystem the same, command I/O enabled, status 0x0200, revision 0x10, class 07/00/02, BAR0 an 8-byte I/O BAR, BAR1 another for the 2-port type ..., interrupt pin A. Writing 0xFFFFFFFF to BAR0/BAR1 returns the size mask with the I/O bit kept; BAR2–BAR4 read back 0; the interrupt-line byte is writable; other writes are ignored." */
    @Test
    @DisplayName("A-41: the sample's config space, BAR sizing with the I/O bit, BAR2-4 read 0, only the interrupt line is writable")
    void configSpace() {
        MdevRig rig = new MdevRig();
        try (MdevRig.Opened o = mtty(rig, "mtty-2")) {
            VfioDevice d = o.device();
            assertEquals(0x32534348L, read(d, CFG, 4));
            assertEquals(0x0001, read(d, CFG + 4, 2));
            assertEquals(0x0200, read(d, CFG + 6, 2));
            assertEquals(0x07000210L, read(d, CFG + 8, 4));
            assertEquals(0x1, read(d, CFG + 0x10, 4));
            assertEquals(0x1, read(d, CFG + 0x14, 4));
            assertEquals(0x32534348L, read(d, CFG + 0x2c, 4));
            assertEquals(0x0100, read(d, CFG + 0x3c, 2)); // line 0, pin A
            assertEquals(0, read(d, CFG + 0x34, 1));
            write(d, CFG + 0x10, 4, 0xffffffffL);
            assertEquals(0xfffffff9L, read(d, CFG + 0x10, 4));
            write(d, CFG + 0x10, 4, 0xc000);
            assertEquals(0xc001, read(d, CFG + 0x10, 4));
            write(d, CFG + 0x18, 4, 0x1234);
            assertEquals(0, read(d, CFG + 0x18, 4));
            write(d, CFG + 0x3c, 1, 0x0b);
            write(d, CFG + 0x3d, 1, 0x04);
            write(d, CFG + 4, 2, 0x0007);
            assertEquals(0x010b, read(d, CFG + 0x3c, 2));
            assertEquals(0x0001, read(d, CFG + 4, 2));
        }
        MdevRig single = new MdevRig();
        try (MdevRig.Opened o = mtty(single, "mtty-1")) {
            assertEquals(0, read(o.device(), CFG + 0x14, 4));
            write(o.device(), CFG + 0x14, 4, 0xffffffffL);
            assertEquals(0, read(o.device(), CFG + 0x14, 4));
        }
    }

    /** "GET_INFO: flags PCI, 9 regions, 5 IRQ indexes. GET_REGION_INFO: index ≥ 9 EINVAL; config 255 bytes, BAR0 8, BAR1 8 (2-port only), all others size 0; offsets index << 40; flags READ|WRITE only". */
    @Test
    @DisplayName("A-42: GET_INFO and GET_REGION_INFO as the sample: index << 40, READ|WRITE, no mmap")
    void deviceAndRegionInfo() {
        MdevRig rig = new MdevRig();
        try (MdevRig.Opened o = mtty(rig, "mtty-1")) {
            VfioDevice d = o.device();
            assertEquals(new DeviceInfo(VFIO_DEVICE_FLAGS_PCI, 9, 5), d.getInfo());
            int rw = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
            assertEquals(new RegionInfo(7, rw, 255, 7L << 40, List.of()), d.getRegionInfo(7));
            assertEquals(new RegionInfo(0, rw, 8, 0, List.of()), d.getRegionInfo(0));
            assertEquals(new RegionInfo(1, rw, 0, 1L << 40, List.of()), d.getRegionInfo(1));
            assertEquals(new RegionInfo(8, rw, 0, 8L << 40, List.of()), d.getRegionInfo(8));
            assertErrno(Errno.EINVAL, "VFIO_DEVICE_GET_REGION_INFO", () -> d.getRegionInfo(9));
            assertErrno(Errno.EINVAL, "mmap", () -> d.mmap(0, 8));
        }
    }

    /** "pread/pwrite are split into naturally aligned 4/2/1-byte accesses; an access outside config/BAR0/BAR1 fails and the whole call returns EFAULT." */
    @Test
    @DisplayName("A-43: accesses split 4/2/1 by alignment; outside config, BAR0 and BAR1 the call is EFAULT")
    void accessSplittingAndEfault() {
        MdevRig rig = new MdevRig();
        try (MdevRig.Opened o = mtty(rig, "mtty-2")) {
            VfioDevice d = o.device();
            MemorySegment eight = MemorySegment.ofArray(new byte[8]);
            assertEquals(8, d.read(CFG + 1, eight)); // 1 + 2 + 4 + 1 bytes
            assertEquals((byte) 0x43, eight.get(ValueLayout.JAVA_BYTE, 0));
            assertEquals((byte) 0x02, eight.get(ValueLayout.JAVA_BYTE, 6));
            assertEquals((byte) 0x10, eight.get(ValueLayout.JAVA_BYTE, 7));
            assertErrno(Errno.EFAULT, "pread", () -> d.read(2L << 40, MemorySegment.ofArray(new byte[1])));
            assertErrno(Errno.EFAULT, "pwrite", () -> d.write(9L << 40, MemorySegment.ofArray(new byte[4])));
            assertErrno(Errno.EFAULT, "pread", () -> d.read(CFG + 0xfc, MemorySegment.ofArray(new byte[4])));
        }
    }

    /** "bytes written to THR go into a 16-entry loopback FIFO and come back on RBR (the device echoes); LSR shows data-ready, overrun, THR-empty; IIR reports ... with bits 6–7 set; DLAB in LCR switches offsets 0/1 to the divisor; FCR can clear the FIFO and disable it (FIFO depth 1)". */
    @Test
    @DisplayName("A-44: THR loops back to RBR through a 16-byte FIFO; LSR, IIR, DLAB divisor and FCR as the sample; ports are separate")
    void uartLoopback() {
        MdevRig rig = new MdevRig();
        try (MdevRig.Opened o = mtty(rig, "mtty-2")) {
            VfioDevice d = o.device();
            assertEquals(0x60, read(d, BAR0 + 5, 1)); // THRE | TEMT
            assertEquals(0xc1, read(d, BAR0 + 2, 1)); // no interrupt pending
            for (char c : "hi".toCharArray()) {
                write(d, BAR0, 1, c);
            }
            assertEquals(0x01, read(d, BAR0 + 5, 1)); // data ready
            assertEquals(0x60, read(d, BAR1 + 5, 1)); // port 1 untouched
            assertEquals('h', read(d, BAR0, 1));
            assertEquals('i', read(d, BAR0, 1));
            assertEquals(0x60, read(d, BAR0 + 5, 1));
            for (int i = 0; i < 17; i++) {
                write(d, BAR0, 1, 'a' + i);
            }
            // the 17th byte overran; with 16 bytes in the ring head == tail again, so the sample's LSR
            // shows it empty (THRE | TEMT) with OE, and RBR reads nothing
            assertEquals(0x62, read(d, BAR0 + 5, 1));
            write(d, BAR0 + 1, 1, 0x05); // IER: RDI | RLSI
            assertEquals(0xc6, read(d, BAR0 + 2, 1)); // RLSI (0x06) | RDI (0x04), ORed as the sample does
            write(d, BAR0 + 2, 1, 0x06); // FCR: clear both FIFOs, FIFO disabled (depth 1)
            assertEquals(0x62, read(d, BAR0 + 5, 1)); // empty, overrun still latched
            write(d, BAR0, 1, 'x');
            write(d, BAR0, 1, 'y');
            assertEquals('x', read(d, BAR0, 1));
            assertEquals(0x62, read(d, BAR0 + 5, 1));
            write(d, BAR0 + 3, 1, 0x83); // LCR: DLAB
            write(d, BAR0, 1, 0x0c);
            write(d, BAR0 + 1, 1, 0x00);
            assertEquals(0x0c, read(d, BAR0, 1));
            assertEquals(0x00, read(d, BAR0 + 1, 1));
            write(d, BAR0 + 3, 1, 0x03);
            assertEquals(0x03, read(d, BAR0 + 3, 1));
            assertEquals(0x05, read(d, BAR0 + 1, 1)); // IER again, not the divisor
            assertEquals(0xb3, read(d, BAR0 + 6, 1)); // MSR: CTS DSR DCD DCTS DDSR
            write(d, BAR0 + 7, 1, 0x5a);
            assertEquals(0x5a, read(d, BAR0 + 7, 1));
        }
    }

    /** "GET_IRQ_INFO: index ≥ 5 EINVAL; only INTx (EVENTFD|MASKABLE|AUTOMASKED, count 1) and MSI (EVENTFD|NORESIZE, count 1) are valid, the others EINVAL." Sample quirk: the index is checked against the num_irqs of the last GET_INFO. */
    @Test
    @DisplayName("A-45: INTx and MSI only; before any GET_INFO every index is EINVAL (the sample checks the last GET_INFO's count)")
    void irqInfo() {
        MdevRig rig = new MdevRig();
        try (MdevRig.Opened o = mtty(rig, "mtty-1")) {
            VfioDevice d = o.device();
            String op = "VFIO_DEVICE_GET_IRQ_INFO";
            assertErrno(Errno.EINVAL, op, () -> d.getIrqInfo(VFIO_PCI_INTX_IRQ_INDEX));
            d.getInfo();
            assertEquals(new IrqInfo(0, VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED, 1), d.getIrqInfo(0));
            assertEquals(new IrqInfo(1, VFIO_IRQ_INFO_EVENTFD | VFIO_IRQ_INFO_NORESIZE, 1), d.getIrqInfo(1));
            assertErrno(Errno.EINVAL, op, () -> d.getIrqInfo(VFIO_PCI_MSIX_IRQ_INDEX));
            assertErrno(Errno.EINVAL, op, () -> d.getIrqInfo(VFIO_PCI_REQ_IRQ_INDEX));
            assertErrno(Errno.EINVAL, op, () -> d.getIrqInfo(5));
        }
    }

    /** "INTx MASK/UNMASK only while INTx is the active type and with start 0, count 1, else EINVAL; mask/unmask by eventfd ENOTTY; TRIGGER with DATA_NONE and count 0 disables; TRIGGER with an eventfd ... selects INTx (or MSI) as the active type, and fails EINVAL while the other type is active; TRIGGER with NONE/BOOL fires it. MSI MASK/UNMASK ENOTTY; MSI-X, ERR and REQ: ENOTTY. INTx is auto-masked after each interrupt until UNMASK." */
    @Test
    @DisplayName("A-46: INTx fires on received data and stays masked until UNMASK; MSI fires every time; the errnos of SET_IRQS")
    void interruptsThroughEventfds() {
        MdevRig rig = new MdevRig();
        try (MdevRig.Opened o = mtty(rig, "mtty-1"); EventFd intx = EventFd.create(); EventFd msi = EventFd.create()) {
            VfioDevice d = o.device();
            d.getInfo();
            String op = "VFIO_DEVICE_SET_IRQS";
            int intxI = VFIO_PCI_INTX_IRQ_INDEX;
            assertErrno(Errno.EINVAL, op, () -> d.setIrqs(IrqSet.of(VFIO_IRQ_SET_ACTION_UNMASK, intxI, 0, 1, IrqData.none())));
            d.setIrqs(IrqSet.of(VFIO_IRQ_SET_ACTION_TRIGGER, intxI, 0, 1, IrqData.eventfds(intx)));
            assertErrno(Errno.ENOTTY, op, () -> d.setIrqs(IrqSet.of(VFIO_IRQ_SET_ACTION_MASK, intxI, 0, 1, IrqData.eventfds(msi))));
            assertErrno(Errno.EINVAL, op, () -> d.setIrqs(IrqSet.of(VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_PCI_MSI_IRQ_INDEX, 0, 1,
                    IrqData.eventfds(msi))));
            for (int idx : new int[] {VFIO_PCI_MSIX_IRQ_INDEX, VFIO_PCI_ERR_IRQ_INDEX, VFIO_PCI_REQ_IRQ_INDEX}) {
                assertErrno(Errno.ENOTTY, op, () -> d.setIrqs(IrqSet.of(VFIO_IRQ_SET_ACTION_TRIGGER, idx, 0, 1, IrqData.none())));
            }
            assertErrno(Errno.ENOTTY, op, () -> d.setIrqs(IrqSet.of(VFIO_IRQ_SET_ACTION_MASK, VFIO_PCI_MSI_IRQ_INDEX, 0, 1, IrqData.none())));

            write(d, BAR0 + 2, 1, 0x07); // FCR: FIFO on, trigger level 1
            write(d, BAR0 + 1, 1, 0x01); // IER: received data
            write(d, BAR0, 1, 'a');
            assertEquals(1, intx.readCount());
            read(d, BAR0, 1);
            write(d, BAR0, 1, 'b'); // auto-masked: nothing
            assertEquals(0, intx.readCount());
            d.setIrqs(IrqSet.of(VFIO_IRQ_SET_ACTION_UNMASK, intxI, 0, 1, IrqData.bools(true)));
            read(d, BAR0, 1);
            write(d, BAR0, 1, 'c');
            assertEquals(1, intx.readCount());
            d.setIrqs(IrqSet.of(VFIO_IRQ_SET_ACTION_UNMASK, intxI, 0, 1, IrqData.none()));
            d.setIrqs(IrqSet.of(VFIO_IRQ_SET_ACTION_TRIGGER, intxI, 0, 1, IrqData.bools(true)));
            assertEquals(1, intx.readCount());
            d.setIrqs(IrqSet.of(VFIO_IRQ_SET_ACTION_TRIGGER, intxI, 0, 0, IrqData.none())); // disable

            d.setIrqs(IrqSet.of(VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_PCI_MSI_IRQ_INDEX, 0, 1, IrqData.eventfds(msi)));
            assertErrno(Errno.EINVAL, op, () -> d.setIrqs(IrqSet.of(VFIO_IRQ_SET_ACTION_TRIGGER, intxI, 0, 1, IrqData.eventfds(intx))));
            read(d, BAR0, 1);
            write(d, BAR0, 1, 'd');
            read(d, BAR0, 1);
            write(d, BAR0, 1, 'e');
            assertEquals(2, msi.readCount()); // MSI is never masked
            d.setIrqs(IrqSet.of(VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_PCI_MSI_IRQ_INDEX, 0, 1, IrqData.none()));
            assertEquals(1, msi.readCount());
            assertEquals(0, intx.readCount());
        }
    }

    /** "RESET is deferred until no migration-state operation is in progress; close drops eventfds ... mtty has no dma_unmap and never pins (no DMA)." */
    @Test
    @DisplayName("A-47: RESET leaves the UART state; close drops the eventfds; mtty has no dma_unmap")
    void resetAndClose() {
        MdevRig rig = new MdevRig();
        MdevRig.Opened o = mtty(rig, "mtty-1");
        try (EventFd msi = EventFd.create()) {
            VfioDevice d = o.device();
            d.getInfo();
            write(d, BAR0 + 3, 1, 0x03);
            d.reset();
            assertEquals(0x03, read(d, BAR0 + 3, 1));
            d.setIrqs(IrqSet.of(VFIO_IRQ_SET_ACTION_TRIGGER, VFIO_PCI_MSI_IRQ_INDEX, 0, 1, IrqData.eventfds(msi)));
            assertErrno(Errno.EINVAL, "vfio_pin_pages", () -> rig.bus.device(U).pinPages(org.jvmm.address.Iova.of(0), 1,
                    org.jvmm.iommu.IommuPermission.READ));
            d.close();
            VfioDevice again = o.group().getDeviceFd(U);
            write(again, BAR0 + 1, 1, 0x02); // THRI with an empty FIFO would interrupt
            assertEquals(0, msi.readCount());
            again.close();
        } finally {
            o.close();
        }
    }
}
