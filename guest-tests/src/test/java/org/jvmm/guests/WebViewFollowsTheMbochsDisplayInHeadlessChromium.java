package org.jvmm.guests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jvmm.machine.config.VfioMdevConfig;
import org.jvmm.machine.x86.X86ToyMachine;
import org.jvmm.qmp.QmpMonitor;
import org.jvmm.qmp.X86ToyMonitored;
import org.jvmm.web.HeadlessChromium;
import org.jvmm.web.WebView;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web view of x86-toy under KVM with an mbochs given as {@code -device
 * vfio-pci,sysfsdev=...,display=on}, in Debian's headless chromium: the guest (g) draws its
 * pattern and stops at checkpoint 1, then draws the white square and stops at checkpoint 2; at
 * each the page's display image (/api/display.png, refreshed with every sample, no reload) comes
 * to hold exactly the pixels of a QMP screendump taken then. Skipped, saying why, without /dev/kvm
 * or without chromium and chromedriver.
 */
@DisplayName("web view: the mbochs display in the page follows the guest, pixel for pixel the screendump's")
class WebViewFollowsTheMbochsDisplayInHeadlessChromium {
    @BeforeEach
    void needs() {
        KvmAvailable.assume();
        HeadlessChromium.assumeInstalled();
    }

    @Test
    void thePageShowsEachPictureTheGuestDraws(@TempDir Path dir) throws Exception {
        LinkedBlockingQueue<Integer> reached = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<Boolean> go = new LinkedBlockingQueue<>();
        try (MdevMachine m = new MdevMachine("mbochs-small", null, VfioMdevConfig.Display.ON, 1L << 30)) {
            X86ToyMonitored monitored = new X86ToyMonitored(m.machine, m.host.platform(), false);
            WebView view = WebView.start(new QmpMonitor(monitored, false, () -> { }), "127.0.0.1", 0);
            ChromeDriver browser = null;
            CompletableFuture<X86ToyMachine.RunResult> run = new CompletableFuture<>();
            Thread vcpu = Thread.ofPlatform().name("mbochs-guest").start(() -> {
                try {
                    run.complete(m.boot("mbochs", 0, n -> {
                        reached.add(n);
                        try {
                            go.poll(60, TimeUnit.SECONDS); // the test looks at the page meanwhile
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }));
                } catch (Throwable t) {
                    run.completeExceptionally(t);
                }
            });
            try {
                assertEquals(1, reached.poll(30, TimeUnit.SECONDS), "the guest drew its pattern");
                browser = HeadlessChromium.start(dir.resolve("profile"), 1280, 1000);
                browser.get("http://127.0.0.1:" + view.port() + "/?token=" + view.token());
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(15));
                wait.until(d -> "true".equals(d.findElement(By.tagName("body")).getAttribute("data-ready")));
                HeadlessChromium.Pixels first = shownLikeTheScreendump(browser, wait, monitored, dir.resolve("1.ppm"));
                assertEquals(128, first.width());
                assertEquals(96, first.height());
                assertEquals(0x101040, first.at(8, 8), "the pattern at (8,8), before the white square");
                go.add(true);

                assertEquals(2, reached.poll(30, TimeUnit.SECONDS), "the guest drew the white square");
                HeadlessChromium.Pixels second = shownLikeTheScreendump(browser, wait, monitored, dir.resolve("2.ppm"));
                assertEquals(0xffffff, second.at(8, 8), "the white square, shown without a reload");
                Path shot = Path.of("target", "web-view-mbochs.png");
                Files.createDirectories(shot.getParent());
                Files.write(shot, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
                go.add(true);

                X86ToyMachine.RunResult r = run.get(30, TimeUnit.SECONDS);
                assertTrue(r.exitedWith(1), r.toString());
                assertTrue(m.console().endsWith("mbochs: PASS\n"), m.console());
            } finally {
                go.add(true);
                go.add(true);
                if (browser != null) {
                    browser.quit();
                }
                view.close();
                vcpu.join(TimeUnit.SECONDS.toMillis(30));
            }
        }
    }

    /** Takes a screendump now, waits until the page's image holds its pixels, and answers them. */
    private static HeadlessChromium.Pixels shownLikeTheScreendump(ChromeDriver browser, WebDriverWait wait, X86ToyMonitored monitored,
            Path ppm) throws Exception {
        monitored.screendump(ppm.toString(), "ppm");
        HeadlessChromium.Pixels dump = HeadlessChromium.ppm(Files.readAllBytes(ppm));
        // the page loads a new picture with every sample, so the pixels compared are the ones answered
        HeadlessChromium.Pixels shown = wait.until(d -> {
            HeadlessChromium.Pixels p = HeadlessChromium.image(browser, "display");
            return p != null && p.width() == dump.width() && Arrays.equals(dump.rgb(), p.rgb()) ? p : null;
        });
        assertArrayEquals(dump.rgb(), shown.rgb());
        return shown;
    }
}
