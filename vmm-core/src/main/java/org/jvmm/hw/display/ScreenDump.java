package org.jvmm.hw.display;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.DeflaterOutputStream;

/**
 * Writes a {@link Frame} as QEMU's {@code screendump} does (ui/console.c): {@link Format#PPM} is a
 * binary PPM ("P6", width, height, maxval 255, then RGB bytes row by row); {@link Format#PNG} a
 * PNG of the same pixels (QEMU 7.1 and later, {@code format=png}): 8-bit RGB, no interlace, every
 * row filter 0, one zlib IDAT chunk (written here with java.util.zip, no desktop module needed).
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
            case PNG -> writePng(frame, out);
        }
    }

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private static void writePng(Frame frame, OutputStream out) throws IOException {
        out.write(PNG_SIGNATURE);
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream h = new DataOutputStream(ihdr);
        h.writeInt(frame.width());
        h.writeInt(frame.height());
        h.writeByte(8); // bit depth
        h.writeByte(2); // colour type: RGB
        h.writeByte(0); // deflate
        h.writeByte(0); // filter method 0
        h.writeByte(0); // no interlace
        chunk(out, "IHDR", ihdr.toByteArray());
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat)) {
            byte[] row = new byte[1 + frame.width() * 3];
            for (int y = 0; y < frame.height(); y++) {
                row[0] = 0; // filter: none
                for (int x = 0; x < frame.width(); x++) {
                    int p = frame.pixels()[y * frame.width() + x];
                    row[1 + 3 * x] = (byte) (p >>> 16);
                    row[2 + 3 * x] = (byte) (p >>> 8);
                    row[3 + 3 * x] = (byte) p;
                }
                z.write(row);
            }
        }
        chunk(out, "IDAT", idat.toByteArray());
        chunk(out, "IEND", new byte[0]);
    }

    private static void chunk(OutputStream out, String type, byte[] data) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        d.writeInt(data.length);
        d.write(t);
        d.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        d.writeInt((int) crc.getValue());
        d.flush();
    }
}
