package org.jvmm.vfio.uapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.jvmm.vfio.uapi.VfioUapi.*;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The graphics uAPI of include/uapi/linux/vfio.h (A-35 to A-38, Appendix 1), numbers and offsets pinned. */
class GfxUapiNumbersAndLayouts {

    @Test
    @DisplayName("A-35, A-37: QUERY_GFX_PLANE is _IO(';', 114) = 0x3B72, GET_GFX_DMABUF _IO(';', 115) = 0x3B73")
    void ioctlNumbers() {
        assertEquals(0x3B72, VFIO_DEVICE_QUERY_GFX_PLANE);
        assertEquals(0x3B73, VFIO_DEVICE_GET_GFX_DMABUF);
    }

    @Test
    @DisplayName("A-36, A-38: flags PROBE 1, DMABUF 2, REGION 4; cap type 2; GFX 1 / EDID 1; link up 1, down 2; XR24")
    void flagsAndTypes() {
        assertEquals(1, VFIO_GFX_PLANE_TYPE_PROBE);
        assertEquals(2, VFIO_GFX_PLANE_TYPE_DMABUF);
        assertEquals(4, VFIO_GFX_PLANE_TYPE_REGION);
        assertEquals(2, VFIO_REGION_INFO_CAP_TYPE);
        assertEquals(1, VFIO_REGION_TYPE_GFX);
        assertEquals(1, VFIO_REGION_SUBTYPE_GFX_EDID);
        assertEquals(1, VFIO_DEVICE_GFX_LINK_STATE_UP);
        assertEquals(2, VFIO_DEVICE_GFX_LINK_STATE_DOWN);
        assertEquals(1, DRM_PLANE_TYPE_PRIMARY);
        assertEquals(2, DRM_PLANE_TYPE_CURSOR);
        assertEquals(0x34325258, DRM_FORMAT_XRGB8888);
        assertEquals("XR24", new String(new byte[] {(byte) DRM_FORMAT_XRGB8888, (byte) (DRM_FORMAT_XRGB8888 >> 8),
                (byte) (DRM_FORMAT_XRGB8888 >> 16), (byte) (DRM_FORMAT_XRGB8888 >> 24)}, java.nio.charset.StandardCharsets.US_ASCII));
    }

    /** "struct vfio_device_gfx_plane_info (64 bytes) ... drm_format_mod (64-bit, aligned at offset 16) ... region_index / dmabuf_id (offset 56) ... argsz >= 60". */
    @Test
    @DisplayName("A-35: vfio_device_gfx_plane_info is 64 bytes, drm_format_mod at 16, the union at 56, min argsz 60")
    void planeInfoLayout() {
        assertEquals(64, GfxPlaneInfo.SIZE);
        assertEquals(0, GfxPlaneInfo.ARGSZ);
        assertEquals(4, GfxPlaneInfo.FLAGS);
        assertEquals(8, GfxPlaneInfo.DRM_PLANE_TYPE);
        assertEquals(12, GfxPlaneInfo.DRM_FORMAT);
        assertEquals(16, GfxPlaneInfo.DRM_FORMAT_MOD);
        assertEquals(24, GfxPlaneInfo.WIDTH);
        assertEquals(28, GfxPlaneInfo.HEIGHT);
        assertEquals(32, GfxPlaneInfo.STRIDE);
        assertEquals(36, GfxPlaneInfo.PLANE_SIZE);
        assertEquals(40, GfxPlaneInfo.X_POS);
        assertEquals(44, GfxPlaneInfo.Y_POS);
        assertEquals(48, GfxPlaneInfo.X_HOT);
        assertEquals(52, GfxPlaneInfo.Y_HOT);
        assertEquals(56, GfxPlaneInfo.REGION_INDEX);
        assertEquals(56, GfxPlaneInfo.DMABUF_ID);
        assertEquals(60, GfxPlaneInfo.MIN_ARGSZ);
    }

    /** "struct vfio_region_gfx_edid (24 bytes): edid_offset, edid_max_size, edid_size, max_xres, max_yres, link_state"; Appendix 1: link_state at 20. */
    @Test
    @DisplayName("A-38: vfio_region_gfx_edid is 24 bytes, link_state at 20")
    void edidLayout() {
        assertEquals(24, RegionGfxEdid.SIZE);
        assertEquals(0, RegionGfxEdid.EDID_OFFSET);
        assertEquals(4, RegionGfxEdid.EDID_MAX_SIZE);
        assertEquals(8, RegionGfxEdid.EDID_SIZE);
        assertEquals(12, RegionGfxEdid.MAX_XRES);
        assertEquals(16, RegionGfxEdid.MAX_YRES);
        assertEquals(20, RegionGfxEdid.LINK_STATE);
    }
}
