package org.jvmm.web;

import java.io.IOException;
import java.nio.file.Path;
import org.jvmm.hw.display.Frame;
import org.jvmm.hw.display.ScreenDump;
import org.jvmm.qmp.BareMachine;
import org.jvmm.qmp.QmpError;

/**
 * A machine that is only a display, for the web view's display route where no KVM is at hand
 * (x86-toy's mediated display needs it): its screendump writes the frame the test set, as the
 * x86-toy machine writes its mdev's ({@link ScreenDump}), with QEMU's answers for no picture and
 * a bad format.
 */
final class FramebufferMachine extends BareMachine {
    private volatile Frame frame;
    private volatile int dumps;

    FramebufferMachine() {
        super("framebuffer");
    }

    /** What the display shows from now on; null: nothing yet. */
    void show(Frame f) {
        this.frame = f;
    }

    /** Screendumps taken so far. */
    int dumps() {
        return dumps;
    }

    @Override
    public void screendump(String filename, String format) {
        Frame f = frame;
        if (f == null) {
            throw QmpError.generic("There is no console to take a screendump from");
        }
        ScreenDump.Format fmt = switch (format) {
            case "ppm" -> ScreenDump.Format.PPM;
            case "png" -> ScreenDump.Format.PNG;
            default -> throw QmpError.generic("Parameter 'format' does not accept value '" + format + "'");
        };
        try {
            ScreenDump.write(f, Path.of(filename), fmt);
        } catch (IOException e) {
            throw QmpError.generic("failed to open file '" + filename + "': " + e.getMessage());
        }
        dumps++;
    }
}
