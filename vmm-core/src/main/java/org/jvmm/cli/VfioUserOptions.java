package org.jvmm.cli;

import java.io.PrintWriter;
import java.util.List;
import org.jvmm.machine.config.VfioUserPciConfig;
import org.jvmm.machine.x86.X86ToyBuilder;

/**
 * The command line's vfio-user client device, in QEMU's words: {@code -device
 * vfio-user-pci,socket=PATH[,addr=SLOT][,x-no-mmap=on|off][,x-dma-messages=on|off]} gives the
 * guest a device another process serves on the Unix socket PATH (e.g. {@code ./vmm serve-device
 * edu,socket=PATH}). x-no-mmap traps every BAR access even where the server offers an fd;
 * x-dma-messages maps guest RAM without fds, so the server's DMA goes by DMA_READ/WRITE
 * messages. A server that goes away mid-run is reported on stderr; the guest keeps running and
 * reads the device as all-ones.
 */
final class VfioUserOptions {
    static final String DRIVER = "vfio-user-pci";

    private VfioUserOptions() {
    }

    static boolean isVfioUser(DeviceOption d) {
        return d.driver().equals(DRIVER);
    }

    /** Checks the option and adds the device in {@code slot}; the server's loss is told on {@code err}. */
    static void guestDevice(DeviceOption d, int slot, X86ToyBuilder builder, PrintWriter err) {
        d.checkKnown("-device", List.of("socket", "addr", "x-no-mmap", "x-dma-messages"));
        String socket = d.require("-device", "socket");
        if (socket.isEmpty()) {
            throw new UsageException(d.where("-device") + ": Parameter 'socket' expects a Unix socket path, not ''");
        }
        try {
            builder.vfioUserPci(new VfioUserPciConfig(socket, slot, d.onOff("-device", "x-no-mmap", false),
                    d.onOff("-device", "x-dma-messages", false), d.where("-device")), msg -> {
                        err.println("vmm: " + msg);
                        err.flush();
                    });
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }
}
