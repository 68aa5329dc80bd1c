package org.jvmm.vfio;

import java.lang.foreign.MemorySegment;

/**
 * A dma-buf fd from VFIO_DEVICE_GET_GFX_DMABUF: a read-only view of a framebuffer in the device's
 * memory, with the mode it was exported for (DRM fourcc, width, height, stride). Each call gives
 * a new fd on the same exported buffer; the buffer lives until its last fd is closed, even after
 * the device fd is. Writing through {@link #view()} fails (the segment is read-only).
 *
 * <p>One owner closes it; closing twice throws. {@link #view()} may be read from any thread.
 */
public final class GfxDmabuf implements AutoCloseable {
    private final int id;
    private final int drmFormat;
    private final int width;
    private final int height;
    private final int stride;
    private final MemorySegment view;
    private final Runnable onClose;
    private volatile boolean closed;

    /**
     * @param view the framebuffer's bytes (stride times height), made read-only here
     * @param onClose run once when this fd closes (the exporter counts its fds)
     */
    public GfxDmabuf(int id, int drmFormat, int width, int height, int stride, MemorySegment view, Runnable onClose) {
        this.id = id;
        this.drmFormat = drmFormat;
        this.width = width;
        this.height = height;
        this.stride = stride;
        this.view = view.asReadOnly();
        this.onClose = onClose;
    }

    public int id() {
        return id;
    }

    public int drmFormat() {
        return drmFormat;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public int stride() {
        return stride;
    }

    /** The framebuffer, read-only; an IllegalStateException once this fd is closed. */
    public MemorySegment view() {
        if (closed) {
            throw new IllegalStateException("dma-buf " + id + " fd is closed");
        }
        return view;
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("dma-buf " + id + " fd closed twice");
            }
            closed = true;
        }
        onClose.run();
    }

    @Override
    public String toString() {
        return "GfxDmabuf[" + id + ", " + width + "x" + height + ", stride " + stride + (closed ? ", closed" : "") + "]";
    }
}
