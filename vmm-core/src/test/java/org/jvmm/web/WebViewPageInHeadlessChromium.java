package org.jvmm.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jvmm.machine.config.MemoryConfig;
import org.jvmm.machine.pseries.PseriesBuilder;
import org.jvmm.machine.pseries.PseriesMachine;
import org.jvmm.qmp.PseriesMonitored;
import org.jvmm.qmp.QmpMonitor;
import org.jvmm.qtest.QtestSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page in Debian's headless Chromium (through Selenium, both binaries named so nothing is
 * downloaded) while a pseries guest runs under qtest: the page shows the VMM's state, live
 * updates arrive after the guest acts (its DMA, a fault that freezes the PE), pause changes the
 * state, the freeze and recover buttons change the PE's state, and the page loads nothing from
 * outside. Skipped, saying why, where chromium or chromedriver is missing.
 */
class WebViewPageInHeadlessChromium {
    private PseriesMachine machine;
    private QtestSession guest;
    private WebView view;
    private ChromeDriver browser;

    @BeforeEach
    void start(@TempDir Path profile) {
        HeadlessChromium.assumeInstalled();
        machine = new PseriesBuilder(MemoryConfig.of(64L << 20)).build();
        guest = new QtestSession(machine, new PrintStream(new ByteArrayOutputStream()));
        view = WebView.start(new QmpMonitor(new PseriesMonitored(machine, false), false, () -> { }), "127.0.0.1", 0);
        browser = HeadlessChromium.start(profile, 1280, 1000);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (view != null) {
            view.close();
        }
        if (machine != null) {
            machine.close();
        }
    }

    private WebDriverWait waiting() {
        return new WebDriverWait(browser, Duration.ofSeconds(20));
    }

    private String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    @Test
    void thePageShowsTheMachineLiveAndPausesIt() throws Exception {
        String origin = "http://127.0.0.1:" + view.port();
        browser.get(origin + "/?token=" + view.token());
        waiting().until(d -> "true".equals(d.findElement(By.tagName("body")).getAttribute("data-ready")));
        assertEquals("running", text("status"));
        assertTrue(text("mtree").startsWith("FlatView #0"), text("mtree"));
        assertEquals("[]", text("faults"));

        // the guest acts: 16 bytes of DMA through a TCE, shown in the DMA table and total
        guest.execute("hcall 0x20 0x80000000 0x10000 0x200003");
        guest.execute("writeq 0x200081000080 0x10000");
        guest.execute("writeq 0x200081000088 0x40000");
        guest.execute("writeq 0x200081000090 16");
        guest.execute("writeq 0x200081000098 1");
        waiting().until(d -> text("dma-total").equals("16"));
        assertEquals("device host into memory from memory\nvfio-0001:01:00.0 0001:01:00.0 0 16", text("dma"));

        // a DMA outside the window faults and freezes the PE; the page shows it without a reload
        guest.execute("eeh enable");
        guest.execute("writeq 0x200081000080 0x80000000");
        guest.execute("writeq 0x200081000088 0x40000");
        guest.execute("writeq 0x200081000090 16");
        guest.execute("writeq 0x200081000098 1");
        waiting().until(d -> text("faults").contains("\"iova\": 2147483648"));
        waiting().until(d -> text("iommu").contains("\"state-name\": \"stopped\""));

        browser.findElement(By.id("stop")).click();
        waiting().until(d -> text("status").equals("paused"));
        assertEquals("stop: ok", text("message"));
        waiting().until(d -> text("events").startsWith("STOP"));
        assertEquals("paused", view.call("query-status", null).get("status").asText(), "the VMM's own state");

        Path shot = Path.of("target", "web-view.png");
        Files.createDirectories(shot.getParent());
        Files.write(shot, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));

        @SuppressWarnings("unchecked")
        List<String> loaded = (List<String>) ((JavascriptExecutor) browser)
                .executeScript("return performance.getEntriesByType('resource').map(e => e.name)");
        for (String url : loaded) {
            assertTrue(url.startsWith(origin + "/"), "the page loaded something from outside: " + url);
        }
        assertTrue(loaded.stream().anyMatch(u -> u.endsWith("/app.js")), loaded.toString());
    }

    @Test
    void theFreezeButtonStopsThePeAndRecoverBringsItBack() {
        guest.execute("eeh enable");
        int pe = view.call("x-query-pe", null).get(0).get("pe").asInt();
        browser.get("http://127.0.0.1:" + view.port() + "/?token=" + view.token());
        waiting().until(d -> "true".equals(d.findElement(By.tagName("body")).getAttribute("data-ready")));
        waiting().until(d -> text("pe-" + pe + "-state").equals("normal"));
        assertEquals("0", text("pe-" + pe + "-freezes"));

        browser.findElement(By.id("pe-" + pe + "-freeze")).click();
        waiting().until(d -> text("pe-" + pe + "-state").equals("stopped"));
        assertEquals("x-pe-freeze: ok", text("message"));
        assertEquals("1", text("pe-" + pe + "-freezes"));
        assertEquals("stopped", view.call("x-query-pe", null).get(0).get("state-name").asText(), "the VMM's own state");
        assertEquals("OK 0xffffffff", guest.execute("readl 0x200081000000"), "the guest's MMIO to the frozen PE");

        browser.findElement(By.id("pe-" + pe + "-recover")).click();
        waiting().until(d -> text("pe-" + pe + "-state").equals("normal"));
        assertEquals("x-pe-recover: ok", text("message"));
        assertEquals("OK 0x10000ed", guest.execute("readl 0x200081000000"));
    }
}
