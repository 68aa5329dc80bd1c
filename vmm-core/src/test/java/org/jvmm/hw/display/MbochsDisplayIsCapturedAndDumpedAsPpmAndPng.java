package org.jvmm.hw.display;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.jvmm.host.kernel.HostKernel;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.hw.vfio.VfioDisplay;
import org.jvmm.machine.config.MdevConfig;
import org.jvmm.machine.x86.MdevSetup;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.vfio.Vfio;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioDevice;
import org.jvmm.vfio.VfioGroup;
import org.jvmm.vfio.uapi.VfioUapi;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The VMM's display path without KVM (QEMU hw/vfio/display.c, A-65 to A-67; ui/console.c
 * screendump): an mbochs mdev created by the machine's {@link MdevSetup}, opened by its UUID, its
 * framebuffer written through pwrite as a guest would through the BAR, captured through
 * QUERY_GFX_PLANE and a dma-buf, and written as PPM and PNG with the exact pixels.
 */
@DisplayName("display: mbochs probed as DMABUF, captured through its dma-buf, dumped as PPM and PNG pixel for pixel")
class MbochsDisplayIsCapturedAndDumpedAsPpmAndPng {
    private static final String U = "7b4e3a1c-0d2f-4f6a-9b8c-1d2e3f405060";
    private static final long MMIO = 0x1000;
    private static final long VRAM = 0x3000;

    @TempDir
    Path dir;

    private static void w(VfioDevice d, long off, int size, long v) {
        MemorySegment b = MemorySegment.ofArray(new byte[size]);
        for (int i = 0; i < size; i++) {
            b.set(ValueLayout.JAVA_BYTE, i, (byte) (v >>> (8 * i)));
        }
        d.write(off, b);
    }

    @Test
    void captureAndDump() throws Exception {
        HostPciPlatform platform = HostKernel.builder().memory(new HostMemoryRegistry()).build();
        MdevSetup setup = new MdevSetup();
        setup.mdev(new MdevConfig("mbochs-small", UUID.fromString(U), MdevConfig.Front.MAINLINE, "test"));
        setup.buildHost(platform);
        Vfio vfio = Vfio.of(platform);
        int group = setup.bus().device(U).iommuGroupNumber();
        try (VfioContainer c = VfioContainer.open(vfio); VfioGroup g = VfioGroup.open(vfio, group)) {
            g.setContainer(c);
            c.setIommu(VfioUapi.VFIO_TYPE1v2_IOMMU);
            try (VfioDevice d = g.getDeviceFd(U); VfioDisplay display = VfioDisplay.probe(d, true, "test")) {
                assertEquals(VfioDisplay.Method.DMABUF, display.method());
                assertNull(display.capture(), "the guest has not enabled a mode");
                int[] regs = {0, 64, 64, 32, 0, 0, 0, 0, 0, 0}; // id, xres, yres, bpp, enable ...
                for (int i = 1; i <= 3; i++) {
                    w(d, MMIO + 0x500 + 2 * i, 2, regs[i]);
                }
                for (int y = 0; y < 64; y++) {
                    for (int x = 0; x < 64; x++) {
                        w(d, VRAM + 4L * (y * 64 + x), 4, (x * 4) << 16 | (y * 4) << 8 | 0x80);
                    }
                }
                w(d, MMIO + 0x500 + 2 * 4, 2, 1); // enable
                Frame f = display.capture(); // the first query of the mode is ENOMEM: retried, as the next refresh would
                assertEquals(64, f.width());
                assertEquals(0x000080, f.rgb(0, 0));
                assertEquals(0xfcfc80, f.rgb(63, 63));
                assertEquals(0x280c80, f.rgb(10, 3));
                assertEquals(1, display.dmabufCount());
                display.capture();
                assertEquals(1, display.dmabufCount(), "the dma-buf of a known id is kept, not fetched again");

                Path ppm = dir.resolve("screen.ppm");
                ScreenDump.write(f, ppm, ScreenDump.Format.PPM);
                byte[] bytes = Files.readAllBytes(ppm);
                byte[] header = "P6\n64 64\n255\n".getBytes(StandardCharsets.US_ASCII);
                assertEquals(header.length + 64 * 64 * 3, bytes.length);
                byte[] first = java.util.Arrays.copyOfRange(bytes, header.length, header.length + 6);
                assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 4, 0, (byte) 0x80}, first);
                assertArrayEquals(header, java.util.Arrays.copyOf(bytes, header.length));

                Path png = dir.resolve("screen.png");
                ScreenDump.write(f, png, ScreenDump.Format.ofFileName(png));
                BufferedImage img = ImageIO.read(png.toFile());
                assertEquals(64, img.getWidth());
                assertEquals(0xfcfc80, img.getRGB(63, 63) & 0xffffff);
                assertEquals(0x280c80, img.getRGB(10, 3) & 0xffffff);
            }
        }
    }

    @Test
    @DisplayName("display=on for a device without a display is QEMU's error; auto gives none")
    void noDisplay() {
        HostPciPlatform platform = HostKernel.builder().memory(new HostMemoryRegistry()).build();
        MdevSetup setup = new MdevSetup();
        setup.mdev(new MdevConfig("mtty-2", UUID.fromString(U), MdevConfig.Front.SEED, "test"));
        setup.buildHost(platform);
        Vfio vfio = Vfio.of(platform);
        try (VfioContainer c = VfioContainer.open(vfio); VfioGroup g = VfioGroup.open(vfio, setup.bus().device(U).iommuGroupNumber())) {
            g.setContainer(c);
            c.setIommu(VfioUapi.VFIO_TYPE1v2_IOMMU);
            try (VfioDevice d = g.getDeviceFd(U)) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VfioDisplay.probe(d, true, "-device x"));
                assertEquals("-device x: vfio-display: device doesn't support any (known) display method", e.getMessage());
                assertNull(VfioDisplay.probe(d, false, "-device x"));
            }
        }
    }

    @Test
    @DisplayName("PPM of a 2x1 frame is exactly P6, 2 1, 255 and six RGB bytes")
    void ppmBytes() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ScreenDump.write(new Frame(2, 1, new int[] {0xff112233, 0x00445566}), out, ScreenDump.Format.PPM);
        assertArrayEquals("P6\n2 1\n255\n\u0011\"3DUf".getBytes(StandardCharsets.ISO_8859_1), out.toByteArray());
        assertEquals(ScreenDump.Format.PNG, ScreenDump.Format.parse("PNG"));
        assertThrows(IllegalArgumentException.class, () -> ScreenDump.Format.parse("bmp"));
    }
}
