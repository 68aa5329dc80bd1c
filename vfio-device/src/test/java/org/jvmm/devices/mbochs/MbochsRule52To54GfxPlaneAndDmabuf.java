package org.jvmm.devices.mbochs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.jvmm.devices.mbochs.MbochsFixture.*;
import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jvmm.host.Errno;
import org.jvmm.testing.MdevRig;
import org.jvmm.vfio.GfxDmabuf;
import org.jvmm.vfio.VfioDevice;
import org.jvmm.vfio.mdev.MdevDevice;
import org.jvmm.vfio.uapi.GfxPlaneInfo;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Rules on mbochs: the framebuffer, QUERY_GFX_PLANE and GET_GFX_DMABUF. */
@DisplayName("mbochs A-52..A-54: framebuffer rules, QUERY_GFX_PLANE (DMABUF), GET_GFX_DMABUF as a read-only view")
class MbochsRule52To54GfxPlaneAndDmabuf {

    private static MemorySegment query(VfioDevice d, int planeType) {
        MemorySegment p = GfxPlaneInfo.request(VFIO_GFX_PLANE_TYPE_DMABUF, planeType);
        d.queryGfxPlane(p);
        return p;
    }

    /** "PROBE|DMABUF asks "do you export dma-bufs" and PROBE|REGION asks "do you expose a framebuffer region": 0 for yes, EINVAL for no. A real query passes exactly one of DMABUF or REGION; anything else is EINVAL"; A-35: argsz below 60 EINVAL. */
    @Test
    @DisplayName("A-35, A-36: PROBE|DMABUF succeeds, PROBE|REGION, REGION and DMABUF|REGION are EINVAL, argsz 59 EINVAL")
    void probe() {
        try (MdevRig.Opened o = open(new MdevRig(), "mbochs-small")) {
            VfioDevice d = o.device();
            d.queryGfxPlane(GfxPlaneInfo.request(VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_DMABUF, 0));
            for (int flags : new int[] {VFIO_GFX_PLANE_TYPE_PROBE | VFIO_GFX_PLANE_TYPE_REGION, VFIO_GFX_PLANE_TYPE_REGION,
                    VFIO_GFX_PLANE_TYPE_DMABUF | VFIO_GFX_PLANE_TYPE_REGION, 0}) {
                assertErrno(Errno.EINVAL, "VFIO_DEVICE_QUERY_GFX_PLANE",
                        () -> d.queryGfxPlane(GfxPlaneInfo.request(flags, DRM_PLANE_TYPE_PRIMARY)));
            }
            MemorySegment small = GfxPlaneInfo.request(VFIO_GFX_PLANE_TYPE_DMABUF, DRM_PLANE_TYPE_PRIMARY);
            GfxPlaneInfo.putU32(small, GfxPlaneInfo.ARGSZ, 59);
            assertErrno(Errno.EINVAL, "VFIO_DEVICE_QUERY_GFX_PLANE", () -> d.queryGfxPlane(small));
        }
    }

    /** "A plane the guest has disabled is success with drm_format, width, height and size zero"; A-53: "for the cursor plane or no framebuffer, all zero and success". */
    @Test
    @DisplayName("A-36, A-53: no framebuffer (disabled, bpp 16, 63 wide, past memory) and the cursor plane answer all zero")
    void noFramebuffer() {
        try (MdevRig.Opened o = open(new MdevRig(), "mbochs-small")) {
            VfioDevice d = o.device();
            assertZeroPlane(query(d, DRM_PLANE_TYPE_PRIMARY));
            mode(d, 63, 100, 0, 0, 0);
            assertZeroPlane(query(d, DRM_PLANE_TYPE_PRIMARY));
            mode(d, 1024, 1024, 0, 0, 1);
            assertZeroPlane(query(d, DRM_PLANE_TYPE_PRIMARY)); // 4 MiB + one line past the memory
            mode(d, 640, 480, 0, 0, 0);
            write(d, MMIO + 0x500 + 2 * MbochsDevice.DISPI_BPP, 2, 16);
            assertZeroPlane(query(d, DRM_PLANE_TYPE_PRIMARY));
            write(d, MMIO + 0x500 + 2 * MbochsDevice.DISPI_BPP, 2, 32);
            assertZeroPlane(query(d, DRM_PLANE_TYPE_CURSOR));
        }
    }

    private static void assertZeroPlane(MemorySegment p) {
        for (long off : new long[] {GfxPlaneInfo.DRM_FORMAT, GfxPlaneInfo.WIDTH, GfxPlaneInfo.HEIGHT, GfxPlaneInfo.STRIDE,
                GfxPlaneInfo.PLANE_SIZE, GfxPlaneInfo.DMABUF_ID}) {
            assertEquals(0, GfxPlaneInfo.u32(p, off), "field at " + off);
        }
    }

    /** "stride = max(virt_width, xres)·4, size = stride·height, offset = x_offset·4 + y_offset·stride"; A-53: "ids start at 1, one per distinct mode, the same id for a repeated mode ... the first query of a new mode allocates the buffer but does not keep the result, so it answers ENOMEM; a second query then finds it". */
    @Test
    @DisplayName("A-52, A-53: the first query of a mode is ENOMEM, the next reports XR24 640x480 stride 3200, id 1; a new mode id 2")
    void planeFields() {
        try (MdevRig.Opened o = open(new MdevRig(), "mbochs-small")) {
            VfioDevice d = o.device();
            mode(d, 640, 480, 800, 0, 0);
            assertErrno(Errno.ENOMEM, "VFIO_DEVICE_QUERY_GFX_PLANE", () -> query(d, DRM_PLANE_TYPE_PRIMARY));
            MemorySegment p = query(d, DRM_PLANE_TYPE_PRIMARY);
            assertEquals(DRM_FORMAT_XRGB8888, GfxPlaneInfo.u32(p, GfxPlaneInfo.DRM_FORMAT));
            assertEquals(0L, GfxPlaneInfo.u64(p, GfxPlaneInfo.DRM_FORMAT_MOD));
            assertEquals(640, GfxPlaneInfo.u32(p, GfxPlaneInfo.WIDTH));
            assertEquals(480, GfxPlaneInfo.u32(p, GfxPlaneInfo.HEIGHT));
            assertEquals(3200, GfxPlaneInfo.u32(p, GfxPlaneInfo.STRIDE));
            assertEquals(3200 * 480, GfxPlaneInfo.u32(p, GfxPlaneInfo.PLANE_SIZE));
            assertEquals(1, GfxPlaneInfo.u32(p, GfxPlaneInfo.DMABUF_ID));
            assertEquals(0, GfxPlaneInfo.u32(p, GfxPlaneInfo.X_HOT));
            assertEquals(1, GfxPlaneInfo.u32(query(d, DRM_PLANE_TYPE_PRIMARY), GfxPlaneInfo.DMABUF_ID), "the same mode, the same id");
            mode(d, 800, 600, 0, 0, 0);
            assertErrno(Errno.ENOMEM, "VFIO_DEVICE_QUERY_GFX_PLANE", () -> query(d, DRM_PLANE_TYPE_PRIMARY));
            assertEquals(2, GfxPlaneInfo.u32(query(d, DRM_PLANE_TYPE_PRIMARY), GfxPlaneInfo.DMABUF_ID));
            mode(d, 640, 480, 800, 0, 0);
            assertEquals(1, GfxPlaneInfo.u32(query(d, DRM_PLANE_TYPE_PRIMARY), GfxPlaneInfo.DMABUF_ID));
        }
    }

    /** "GET_GFX_DMABUF: unknown id ENOENT; framebuffer offset not page-aligned EINVAL; else an fd (exported once, then shared). All buffers are dropped at close_device; exported ones live until their last fd closes". A-37: "a new fd each call". */
    @Test
    @DisplayName("A-37, A-54: ENOENT for id 7, EINVAL at offset 4; each call a new read-only fd; exported buffers outlive close")
    void dmabuf() {
        MdevRig rig = new MdevRig();
        MdevRig.Opened o = open(rig, "mbochs-small");
        VfioDevice d = o.device();
        MbochsDevice dev = (MbochsDevice) rig.bus.device(U).vendorDevice();
        assertErrno(Errno.ENOENT, "VFIO_DEVICE_GET_GFX_DMABUF", () -> d.getGfxDmabuf(7));
        mode(d, 640, 480, 0, 1, 0); // offset 4: not page aligned
        assertThrows(org.jvmm.host.ErrnoException.class, () -> query(d, DRM_PLANE_TYPE_PRIMARY));
        int unaligned = GfxPlaneInfo.u32(query(d, DRM_PLANE_TYPE_PRIMARY), GfxPlaneInfo.DMABUF_ID);
        assertErrno(Errno.EINVAL, "VFIO_DEVICE_GET_GFX_DMABUF", () -> d.getGfxDmabuf(unaligned));
        mode(d, 640, 480, 0, 0, 0);
        assertThrows(org.jvmm.host.ErrnoException.class, () -> query(d, DRM_PLANE_TYPE_PRIMARY));
        int id = GfxPlaneInfo.u32(query(d, DRM_PLANE_TYPE_PRIMARY), GfxPlaneInfo.DMABUF_ID);
        write(d, VRAM + 4 * 10, 4, 0x00ff8040L); // pixel (10, 0)
        GfxDmabuf a = d.getGfxDmabuf(id);
        GfxDmabuf b = d.getGfxDmabuf(id);
        assertNotSame(a, b);
        assertEquals(640 * 4, a.stride());
        assertEquals(0x00ff8040, a.view().get(ValueLayout.JAVA_INT_UNALIGNED, 40));
        assertThrows(IllegalArgumentException.class, () -> a.view().set(ValueLayout.JAVA_INT_UNALIGNED, 0, 1));
        assertEquals(2, dev.dmabufCount());
        o.close(); // close_device drops the buffer never exported
        assertEquals(1, dev.dmabufCount());
        a.close();
        assertEquals(1, dev.dmabufCount(), "one fd still open");
        assertEquals(0x00ff8040, b.view().get(ValueLayout.JAVA_INT_UNALIGNED, 40));
        b.close();
        assertEquals(0, dev.dmabufCount());
        MdevDevice m = rig.bus.device(U);
        assertEquals(U, m.name());
    }
}
