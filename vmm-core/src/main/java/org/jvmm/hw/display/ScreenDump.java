package org.jvmm.hw.display;

import java.awt.image.BufferedImage;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Writes a {@link Frame} as QEMU's {@code screendump} does (ui/console.c): {@link Format#PPM} is a
 * binary PPM ("P6", width, height, maxval 255, then RGB bytes row by row); {@link Format#PNG} a
 * PNG of the same pixels (QEMU 7.1 and later, {@code format=png}).
 */
public final class ScreenDump {
    private ScreenDump() {
    }

    /** The file formats QEMU's screendump takes. */
    public enum Format {
        PPM, PNG;

        /** {@code ppm} or {@code png}, any case; IllegalArgumentException naming the value otherwise. */
        public static Format parse(String text) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "ppm" -> PPM;
                case "png" -> PNG;
                default -> throw new IllegalArgumentException("screendump format '" + text + "' is not ppm or png");
            };
        }

        /** The format a file name's extension asks for: PNG for {@code .png}, PPM otherwise (QEMU's default). */
        public static Format ofFileName(Path file) {
            return file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png") ? PNG : PPM;
        }
    }

    /** Writes {@code frame} to {@code file} in {@code format}, replacing the file. */
    public static void write(Frame frame, Path file, Format format) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            write(frame, out, format);
        }
    }

    public static void write(Frame frame, OutputStream out, Format format) throws IOException {
        switch (format) {
            case PPM -> {
                out.write(("P6\n" + frame.width() + " " + frame.height() + "\n255\n").getBytes(StandardCharsets.US_ASCII));
                byte[] row = new byte[frame.width() * 3];
                for (int y = 0; y < frame.height(); y++) {
                    for (int x = 0; x < frame.width(); x++) {
                        int p = frame.pixels()[y * frame.width() + x];
                        row[3 * x] = (byte) (p >>> 16);
                        row[3 * x + 1] = (byte) (p >>> 8);
                        row[3 * x + 2] = (byte) p;
                    }
                    out.write(row);
                }
            }
            case PNG -> {
                BufferedImage img = new BufferedImage(frame.width(), frame.height(), BufferedImage.TYPE_INT_RGB);
                img.setRGB(0, 0, frame.width(), frame.height(), frame.pixels(), 0, frame.width());
                if (!ImageIO.write(img, "png", out)) {
                    throw new IOException("no PNG writer in this Java runtime");
                }
            }
        }
    }
}
