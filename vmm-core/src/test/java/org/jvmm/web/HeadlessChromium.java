package org.jvmm.web;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's chromium, headless, through its chromedriver (both named so Selenium downloads
 * nothing), for the web view's browser tests here and in guest-tests; and the pixels of an image
 * as the page decoded them.
 */
public final class HeadlessChromium {
    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    public static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    private HeadlessChromium() {
    }

    /** Skips the test, saying why, where chromium or chromedriver is missing. */
    public static void assumeInstalled() {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
                "needs Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver)");
    }

    /** A fresh browser with its profile in {@code profile}, its window {@code width} by {@code height}. */
    public static ChromeDriver start(Path profile, int width, int height) {
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM.toFile());
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=" + width + "," + height);
        return new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).build(), o);
    }

    /** An image's decoded pixels: width, height and 0xRRGGBB per pixel row by row; null while it has none. */
    public record Pixels(int width, int height, int[] rgb) {
        public int at(int x, int y) {
            return rgb[y * width + x];
        }
    }

    /** The pixels of the {@code <img>} with id {@code id} as the page decoded it (drawn on a canvas), or null. */
    public static Pixels image(ChromeDriver browser, String id) {
        Object r = ((JavascriptExecutor) browser).executeScript("""
                const img = document.getElementById(arguments[0]);
                if (!img || !img.complete || !img.naturalWidth || img.hidden) return null;
                const c = document.createElement('canvas');
                c.width = img.naturalWidth; c.height = img.naturalHeight;
                const g = c.getContext('2d');
                g.drawImage(img, 0, 0);
                const d = g.getImageData(0, 0, c.width, c.height).data;
                let hex = '';
                for (let i = 0; i < d.length; i += 4) {
                  hex += ((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]).toString(16).padStart(6, '0');
                }
                return c.width + ' ' + c.height + ' ' + hex;""", id);
        if (r == null) {
            return null;
        }
        String[] p = ((String) r).split(" ");
        int w = Integer.parseInt(p[0]);
        int h = Integer.parseInt(p[1]);
        int[] rgb = new int[w * h];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = HexFormat.fromHexDigits(p[2], 6 * i, 6 * i + 6);
        }
        return new Pixels(w, h, rgb);
    }

    /** The pixels of a binary PPM (P6, maxval 255) as QMP screendump writes it. */
    public static Pixels ppm(byte[] ppm) {
        int at = 0;
        String[] fields = new String[4];
        for (int f = 0; f < 4; f++) {
            StringBuilder b = new StringBuilder();
            while (!Character.isWhitespace(ppm[at])) {
                b.append((char) ppm[at++]);
            }
            at++; // one whitespace byte after each field
            fields[f] = b.toString();
        }
        if (!fields[0].equals("P6") || !fields[3].equals("255")) {
            throw new IllegalArgumentException("not a P6 PPM with maxval 255: " + String.join(" ", fields));
        }
        int w = Integer.parseInt(fields[1]);
        int h = Integer.parseInt(fields[2]);
        int[] rgb = new int[w * h];
        for (int i = 0; i < rgb.length; i++, at += 3) {
            rgb[i] = (ppm[at] & 0xff) << 16 | (ppm[at + 1] & 0xff) << 8 | (ppm[at + 2] & 0xff);
        }
        return new Pixels(w, h, rgb);
    }
}
