package org.jvmm.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jvmm.vfiouser.VfioUserHeader;
import org.jvmm.vfiouser.VfioUserListener;
import org.jvmm.vfiouser.VfioUserPayloads;
import org.jvmm.vfiouser.VfioUserSocket;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ./vmm serve-device edu|edu-pasid|msix-doorbell|ivshmem[,size=SIZE],socket=PATH [--once]}: creates the
 * host device in this process and serves it over vfio-user on a Unix socket, one client at a
 * time. One line when listening, when a client connects and when it goes; SIGINT/SIGTERM end
 * it (the client's mappings released, the socket removed), and so does the first client's going
 * with {@code --once}.
 */
@Command(name = "serve-device", mixinStandardHelpOptions = true, addMethodSubcommands = false, sortOptions = false,
        description = {"Serve a host device of this process over vfio-user on a Unix socket, one client at a time.",
                "DEVICE is edu, edu-pasid, msix-doorbell or ivshmem[,size=SIZE] (1M by default) with socket=PATH: the socket is created "
                        + "mode 0600 and removed at exit; an existing path is refused unless it is a stale socket."},
        exitCodeListHeading = "Exit status:%n",
        exitCodeList = {"0:ended by --once after the client went",
                "2:bad options, or the socket path is in use: the message names the option and the value",
                "130, 143:ended by SIGINT or SIGTERM, as any JVM is (the client's mappings released and the socket "
                        + "removed first)"})
public final class ServeDevice implements Callable<Integer> {
    @Parameters(paramLabel = "DEVICE", description = "MODEL[,size=SIZE],socket=PATH")
    String device;

    @Option(names = "--once", description = "End when the first client goes away.")
    boolean once;

    @Spec
    CommandSpec spec;

    /** The parsed DEVICE argument. */
    record Target(VfioUserHostDevice.Model model, long size, Path socket) {
    }

    /** Parses DEVICE; IllegalArgumentException names the property and the value. */
    static Target parse(String text) {
        String[] parts = text.split(",", -1);
        VfioUserHostDevice.Model model = VfioUserHostDevice.Model.of(parts[0]);
        if (model == null) {
            throw new IllegalArgumentException("serve-device: '" + parts[0] + "' is not a device this can serve (edu, edu-pasid, ivshmem, msix-doorbell)");
        }
        Path socket = null;
        long size = -1;
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            String key = eq < 0 ? parts[i] : parts[i].substring(0, eq);
            String value = eq < 0 ? "" : parts[i].substring(eq + 1);
            switch (key) {
                case "socket" -> {
                    if (value.isEmpty()) {
                        throw new IllegalArgumentException("serve-device " + model.spelling() + ": socket= needs a path");
                    }
                    socket = Path.of(value);
                }
                case "size" -> {
                    if (model != VfioUserHostDevice.Model.IVSHMEM) {
                        throw new IllegalArgumentException("serve-device: Property '" + model.spelling() + ".size' not found (known: socket)");
                    }
                    try {
                        size = SizeConverter.parse(value);
                    } catch (RuntimeException e) {
                        throw new IllegalArgumentException("serve-device ivshmem: size='" + value + "' is not a size (e.g. 1M, 64K)");
                    }
                    if (Long.bitCount(size) != 1 || size < 4096 || size > (16L << 30)) {
                        throw new IllegalArgumentException("serve-device ivshmem: size='" + value
                                + "' is not a power of two from 4K to 16G");
                    }
                }
                default -> throw new IllegalArgumentException("serve-device: Property '" + model.spelling() + "." + key
                        + "' not found (known: socket" + (model == VfioUserHostDevice.Model.IVSHMEM ? ", size)" : ")"));
            }
        }
        if (socket == null) {
            throw new IllegalArgumentException("serve-device " + model.spelling() + ": socket=PATH is required");
        }
        return new Target(model, size < 0 ? 1L << 20 : size, socket);
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Target t = parse(device);
        VfioUserListener listener;
        try {
            listener = VfioUserListener.listen(t.socket(), VfioUserHostDevice.MAX_MSG_FDS,
                    VfioUserHeader.SIZE + VfioUserPayloads.RegionAccess.SIZE + VfioUserPayloads.DEFAULT_MAX_DATA_XFER_SIZE);
        } catch (IOException e) {
            throw new IllegalArgumentException("serve-device " + e.getMessage(), e);
        }
        CountDownLatch done = new CountDownLatch(1);
        VfioUserSocket[] current = new VfioUserSocket[1];
        Thread hook = new Thread(() -> {
            listener.close();
            synchronized (current) {
                if (current[0] != null) {
                    current[0].shutdown();
                }
            }
            try {
                done.await(5, TimeUnit.SECONDS); // the client's mappings released before the JVM goes
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "serve-device-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try (VfioUserHostDevice host = new VfioUserHostDevice(t.model(), t.size())) {
            out.println("serve-device: " + t.model().spelling() + " listening on " + t.socket());
            while (true) {
                VfioUserSocket c = listener.accept();
                if (c == null) {
                    break;
                }
                synchronized (current) {
                    current[0] = c;
                }
                out.println("serve-device: client connected");
                IOException why = host.serve(c);
                synchronized (current) {
                    current[0] = null;
                }
                c.close();
                out.println("serve-device: client gone" + (why == null ? "" : " (" + why.getMessage() + ")"));
                if (once) {
                    break;
                }
            }
        } catch (IOException e) {
            spec.commandLine().getErr().println("vmm: serve-device: " + e.getMessage());
            return 1;
        } finally {
            listener.close();
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it waits for this
            }
        }
        return 0;
    }
}
