package org.jvmm.hw.display;

/**
 * One captured picture: {@code width} x {@code height} pixels, row by row from the top left, each
 * an XRGB8888 value (0x00RRGGBB; the X byte is ignored).
 */
public record Frame(int width, int height, int[] pixels) {
    public Frame {
        if (width <= 0 || height <= 0 || (long) width * height != pixels.length) {
            throw new IllegalArgumentException("frame " + width + "x" + height + " with " + pixels.length + " pixels");
        }
    }

    /** The pixel at ({@code x}, {@code y}) as 0xRRGGBB. */
    public int rgb(int x, int y) {
        return pixels[y * width + x] & 0xffffff;
    }
}
