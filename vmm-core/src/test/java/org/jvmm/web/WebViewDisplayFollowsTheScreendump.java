package org.jvmm.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.jvmm.hw.display.Frame;
import org.jvmm.hw.display.ScreenDump;
import org.jvmm.qmp.QmpMonitor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The display route, /api/display.png, and the page's image of it, without KVM: the machine is a
 * bare display ({@link FramebufferMachine}) whose screendump writes the frame the test sets, since
 * the mediated display of x86-toy needs KVM (guest-tests covers that one with the mbochs guest).
 * The route answers the screendump's PNG byte for byte; the page's image follows the frame.
 */
@DisplayName("/api/display.png is QMP screendump's PNG; the page's image follows the display")
class WebViewDisplayFollowsTheScreendump {
    private final FramebufferMachine display = new FramebufferMachine();
    private final HttpClient http = HttpClient.newHttpClient();
    private WebView view;
    private ChromeDriver browser;

    @BeforeEach
    void start() {
        view = WebView.start(new QmpMonitor(display, false, () -> { }), "127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        view.close();
    }

    /** A w x h frame whose every pixel differs from its neighbours: (x * 0x10 + seed, y * 0x20, x ^ y). */
    private static Frame pattern(int w, int h, int seed) {
        int[] p = new int[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                p[y * w + x] = ((x * 0x10 + seed) & 0xff) << 16 | ((y * 0x20) & 0xff) << 8 | ((x ^ y) & 0xff);
            }
        }
        return new Frame(w, h, p);
    }

    private HttpResponse<byte[]> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + view.port() + path)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void theRouteAnswersTheScreendumpsPng() throws Exception {
        Frame f = pattern(16, 8, 3);
        display.show(f);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ScreenDump.write(f, png, ScreenDump.Format.PNG);
        HttpResponse<byte[]> r = get("/api/display.png");
        assertEquals(200, r.statusCode());
        assertEquals("image/png", r.headers().firstValue("content-type").orElse(""));
        assertEquals("no-store", r.headers().firstValue("cache-control").orElse(""));
        assertArrayEquals(png.toByteArray(), r.body());
        assertArrayEquals(png.toByteArray(), get("/api/screen.png").body(), "the route's first name answers the same");
        assertEquals(2, display.dumps());
    }

    @Test
    void withoutAPictureTheRouteAnswersQmpsError() throws Exception {
        HttpResponse<byte[]> r = get("/api/display.png");
        assertEquals(404, r.statusCode());
        assertEquals("{\"error\":{\"class\":\"GenericError\",\"desc\":\"There is no console to take a screendump from\"}}",
                new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void thePageShowsTheDisplayAndFollowsIt(@TempDir Path dir) throws Exception {
        HeadlessChromium.assumeInstalled();
        browser = HeadlessChromium.start(dir.resolve("profile"), 1024, 768);
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(15));
        browser.get("http://127.0.0.1:" + view.port() + "/");
        wait.until(d -> "true".equals(d.findElement(By.tagName("body")).getAttribute("data-ready")));
        wait.until(d -> d.findElement(By.id("display-none")).getText().startsWith("no display"));

        Frame first = pattern(32, 24, 0);
        display.show(first);
        // the page loads a new picture with every sample, so the pixels compared are the ones answered
        HeadlessChromium.Pixels shown = wait.until(d -> {
            HeadlessChromium.Pixels p = HeadlessChromium.image(browser, "display");
            return p != null && Arrays.equals(first.pixels(), p.rgb()) ? p : null;
        });
        assertEquals(32, shown.width());
        assertEquals(24, shown.height());
        assertEquals("", browser.findElement(By.id("display-none")).getText());
        Path ppm = dir.resolve("screen.ppm");
        var a = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("filename", ppm.toString());
        assertEquals("{}", view.call("screendump", a).toString());
        assertArrayEquals(HeadlessChromium.ppm(Files.readAllBytes(ppm)).rgb(), shown.rgb(), "the page's pixels are the screendump's");

        Frame second = pattern(32, 24, 0x80);
        display.show(second);
        wait.until(d -> {
            HeadlessChromium.Pixels p = HeadlessChromium.image(browser, "display");
            return p != null && Arrays.equals(second.pixels(), p.rgb());
        });
    }
}
