package org.jvmm.hw.vfio;

import static org.jvmm.vfio.uapi.VfioUapi.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;
import org.jvmm.hw.display.Frame;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.vfio.GfxDmabuf;
import org.jvmm.vfio.RegionInfo;
import org.jvmm.vfio.VfioDeviceFile;
import org.jvmm.vfio.uapi.GfxPlaneInfo;

/**
 * A vfio-pci device's display (QEMU's hw/vfio/display.c), for {@code display=on|auto}: the
 * method is probed once, dma-buf first, then region; {@link #capture} queries the primary
 * plane as QEMU's refresh does and copies its XRGB8888 pixels out.
 *
 * <ul>
 * <li>dma-buf: the plane's {@code dmabuf_id} is looked up among the dma-bufs already held; an id
 *     not seen before is fetched with GET_GFX_DMABUF and kept. A query that fails (mbochs answers
 *     the first query of a new mode with ENOMEM) is retried once, as QEMU's next refresh would.</li>
 * <li>region: the plane names a region whose pixels are read at its reported offset.</li>
 * <li>A zero format or size means nothing to show: {@link #capture} returns null.</li>
 * </ul>
 *
 * <p>Not thread-safe: one caller (the machine's control thread or the monitor) at a time.
 */
public final class VfioDisplay implements AutoCloseable {
    /** How the device exports its display. */
    public enum Method { DMABUF, REGION }

    private final VfioDeviceFile device;
    private final Method method;
    private final Map<Integer, GfxDmabuf> dmabufs = new HashMap<>();
    private long captures;

    private VfioDisplay(VfioDeviceFile device, Method method) {
        this.device = device;
        this.method = method;
    }

    /**
     * Probes {@code device}: a display, or null when it has none and {@code required} is false.
     *
     * @throws IllegalArgumentException with QEMU's words when {@code required} (display=on) and the
     *     device supports neither method
     */
    public static VfioDisplay probe(VfioDeviceFile device, boolean required, String origin) {
        if (probe(device, VFIO_GFX_PLANE_TYPE_DMABUF)) {
            return new VfioDisplay(device, Method.DMABUF);
        }
        if (probe(device, VFIO_GFX_PLANE_TYPE_REGION)) {
            return new VfioDisplay(device, Method.REGION);
        }
        if (required) {
            throw new IllegalArgumentException(origin + ": vfio-display: device doesn't support any (known) display method");
        }
        return null;
    }

    private static boolean probe(VfioDeviceFile device, int kind) {
        try {
            device.queryGfxPlane(GfxPlaneInfo.request(VFIO_GFX_PLANE_TYPE_PROBE | kind, 0));
            return true;
        } catch (ErrnoException e) {
            return false;
        }
    }

    public Method method() {
        return method;
    }

    /** Frames captured so far. */
    public long captures() {
        return captures;
    }

    /** The primary plane's picture now, or null when the guest shows nothing. */
    public Frame capture() {
        MemorySegment plane = query();
        if (plane == null) {
            return null;
        }
        int format = GfxPlaneInfo.u32(plane, GfxPlaneInfo.DRM_FORMAT);
        int width = GfxPlaneInfo.u32(plane, GfxPlaneInfo.WIDTH);
        int height = GfxPlaneInfo.u32(plane, GfxPlaneInfo.HEIGHT);
        int stride = GfxPlaneInfo.u32(plane, GfxPlaneInfo.STRIDE);
        if (format == 0 || GfxPlaneInfo.u32(plane, GfxPlaneInfo.PLANE_SIZE) == 0 || width <= 0 || height <= 0) {
            return null;
        }
        if (format != DRM_FORMAT_XRGB8888) {
            throw new IllegalStateException(device.name() + ": display format 0x" + Integer.toHexString(format)
                    + " is not XRGB8888");
        }
        MemorySegment pixels;
        if (method == Method.DMABUF) {
            int id = GfxPlaneInfo.u32(plane, GfxPlaneInfo.DMABUF_ID);
            GfxDmabuf buf = dmabufs.get(id);
            if (buf == null) {
                buf = device.getGfxDmabuf(id);
                dmabufs.put(id, buf);
            }
            pixels = buf.view();
        } else {
            RegionInfo r = device.getRegionInfo(GfxPlaneInfo.u32(plane, GfxPlaneInfo.REGION_INDEX));
            pixels = MemorySegment.ofArray(new byte[stride * height]);
            device.read(r.offset(), pixels);
        }
        int[] out = new int[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                out[y * width + x] = pixels.get(ValueLayout.JAVA_INT_UNALIGNED, (long) y * stride + 4L * x);
            }
        }
        captures++;
        return new Frame(width, height, out);
    }

    private MemorySegment query() {
        int kind = method == Method.DMABUF ? VFIO_GFX_PLANE_TYPE_DMABUF : VFIO_GFX_PLANE_TYPE_REGION;
        for (int attempt = 0; ; attempt++) {
            MemorySegment p = GfxPlaneInfo.request(kind, DRM_PLANE_TYPE_PRIMARY);
            try {
                device.queryGfxPlane(p);
                return p;
            } catch (ErrnoException e) {
                if (attempt > 0 || e.errno() != Errno.ENOMEM) {
                    throw e;
                }
            }
        }
    }

    /** dma-bufs held, by id. */
    public int dmabufCount() {
        return dmabufs.size();
    }

    @Override
    public void close() {
        for (GfxDmabuf b : dmabufs.values()) {
            b.close();
        }
        dmabufs.clear();
    }
}
