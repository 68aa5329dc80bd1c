package org.jvmm.devices.mbochs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.jvmm.devices.mbochs.MbochsFixture.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicInteger;
import org.jvmm.host.Errno;
import org.jvmm.testing.MdevRig;
import org.jvmm.vfio.BusErrorException;
import org.jvmm.vfio.RegionMapping;
import org.jvmm.vfio.VfioDevice;
import org.jvmm.vfio.uapi.RegionGfxEdid;
import org.jvmm.vfio.uapi.VfioUapi;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Rules on mbochs: video memory mapped and faulted in on demand, and the EDID region. */
@DisplayName("mbochs A-55, A-56: on-demand video memory through mmap (fault in, revoke, fault in) and the EDID region")
class MbochsRule55To56MmapAndEdid {

    /** "mmap of video memory: offset must be exactly 0x3000, length at most the memory size ... else EINVAL. Pages are allocated zeroed on first touch". */
    @Test
    @DisplayName("A-55: mmap only at 0x3000 and within 4 MiB; pages appear on first touch; pread sees what the mapping wrote")
    void mmapOnDemand() {
        MdevRig rig = new MdevRig();
        try (MdevRig.Opened o = open(rig, "mbochs-small")) {
            VfioDevice d = o.device();
            MbochsDevice dev = (MbochsDevice) rig.bus.device(U).vendorDevice();
            assertErrno(Errno.EINVAL, "mmap", () -> d.mmap(0x1000, 4096));
            assertErrno(Errno.EINVAL, "mmap", () -> d.mmap(0x4000, 4096));
            assertErrno(Errno.EINVAL, "mmap", () -> d.mmap(0x3000, (4L << 20) + 4096));
            RegionMapping m = d.mmap(0x3000, 4L << 20);
            assertEquals(0, dev.pagesPresent());
            assertNull(m.hostAddress(), "nothing faulted in yet");
            m.write(0x2004, 4, 0xdeadbeefL);
            assertEquals(1, dev.pagesPresent(), "one page touched");
            assertEquals(0, m.read(0x5000, 4), "a new page reads zero");
            assertEquals(2, dev.pagesPresent());
            assertEquals(0xdeadbeefL, read(d, VRAM + 0x2004, 4), "pread of BAR0 at the memory's own offset");
            assertEquals(1, dev.faultIns());
            m.close();
        }
    }

    /** A-55 with the model's revocation: the VMM sees first touch fault in, decode off revoke, next touch fault in again. */
    @Test
    @DisplayName("A-55: fault() maps the memory once; decode off revokes (listener runs, bus error); decode on faults in again")
    void faultRevokeFault() {
        MdevRig rig = new MdevRig();
        try (MdevRig.Opened o = open(rig, "mbochs-small")) {
            VfioDevice d = o.device();
            MbochsDevice dev = (MbochsDevice) rig.bus.device(U).vendorDevice();
            RegionMapping m = d.mmap(0x3000, 4L << 20);
            AtomicInteger revoked = new AtomicInteger();
            m.addRevokeListener(revoked::incrementAndGet);
            MemorySegment mem = m.fault();
            mem.set(ValueLayout.JAVA_INT_UNALIGNED, 0, 0x11223344);
            assertEquals(1, dev.faultIns());
            assertEquals(1024, dev.pagesPresent());
            m.fault();
            assertEquals(1, dev.faultIns(), "faulted in already");
            write(d, 0x04, 2, 0x0001); // memory decode off
            assertEquals(1, revoked.get());
            assertEquals(1, dev.revocations());
            assertThrows(BusErrorException.class, m::fault);
            assertThrows(BusErrorException.class, () -> m.read(0, 4));
            write(d, 0x04, 2, 0x0003);
            assertEquals(0x11223344, m.fault().get(ValueLayout.JAVA_INT_UNALIGNED, 0), "the memory kept its contents");
            assertEquals(2, dev.faultIns());
            d.reset();
            assertEquals(2, revoked.get(), "RESET revokes too");
            m.close();
        }
    }

    /** "the first half holds the 24-byte register block (4-byte aligned 4-byte accesses only; only link_state and edid_size are writable), edid_offset 0x800, edid_max_size 1024"; A-48 medium's limit 1920x1440; A-51: BAR2 0x000-0x3ff shows the blob while the link is up. */
    @Test
    @DisplayName("A-56: EDID registers read 0x800/1024/0/1920/1440; link down, blob, size, link up shows it at BAR2")
    void edid() {
        try (MdevRig.Opened o = open(new MdevRig(), "mbochs-medium")) {
            VfioDevice d = o.device();
            assertEquals(0x800, read(d, EDID + RegionGfxEdid.EDID_OFFSET, 4));
            assertEquals(1024, read(d, EDID + RegionGfxEdid.EDID_MAX_SIZE, 4));
            assertEquals(0, read(d, EDID + RegionGfxEdid.EDID_SIZE, 4));
            assertEquals(1920, read(d, EDID + RegionGfxEdid.MAX_XRES, 4));
            assertEquals(1440, read(d, EDID + RegionGfxEdid.MAX_YRES, 4));
            assertErrno(Errno.EFAULT, "pread", () -> read(d, EDID + RegionGfxEdid.EDID_SIZE, 2));
            assertErrno(Errno.EFAULT, "pread", () -> read(d, EDID + RegionGfxEdid.SIZE, 4));
            write(d, EDID + RegionGfxEdid.MAX_XRES, 4, 7);
            assertEquals(1920, read(d, EDID + RegionGfxEdid.MAX_XRES, 4), "read-only");
            write(d, EDID + RegionGfxEdid.LINK_STATE, 4, VfioUapi.VFIO_DEVICE_GFX_LINK_STATE_DOWN);
            write(d, EDID + 0x800, 4, 0xff0000ffffffff00L & 0xffffffffL);
            write(d, EDID + 0x804, 4, 0x00ffffffL);
            write(d, EDID + RegionGfxEdid.EDID_SIZE, 4, 128);
            assertEquals(0, read(d, MMIO, 4), "link down: BAR2 shows no EDID");
            write(d, EDID + RegionGfxEdid.LINK_STATE, 4, VfioUapi.VFIO_DEVICE_GFX_LINK_STATE_UP);
            assertEquals(0xffffff00L, read(d, MMIO, 4));
            assertEquals(0x00ffffffL, read(d, MMIO + 4, 4));
            assertEquals(0, read(d, MMIO + 128, 4), "past edid_size reads zero");
            write(d, EDID + RegionGfxEdid.EDID_SIZE, 4, 5000);
            assertEquals(1024, read(d, EDID + RegionGfxEdid.EDID_SIZE, 4), "clamped to edid_max_size");
            write(d, EDID + 0xbfc, 4, 0x12345678L);
            assertEquals(0x12345678L, read(d, EDID + 0xbfc, 4), "the blob's last word");
            write(d, EDID + 0xc00, 4, 0x12345678L);
            assertEquals(0, read(d, EDID + 0xc00, 4), "past 1024 bytes: ignored, reads zero");
        }
    }
}
