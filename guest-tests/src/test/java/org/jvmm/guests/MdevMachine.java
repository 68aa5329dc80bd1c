package org.jvmm.guests;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.machine.config.MdevConfig;
import org.jvmm.machine.config.MdevParentConfig;
import org.jvmm.machine.config.MemoryConfig;
import org.jvmm.machine.config.VfioMdevConfig;
import org.jvmm.machine.x86.X86ToyBuilder;
import org.jvmm.machine.x86.X86ToyMachine;
import org.jvmm.vfio.iommu.Type1Iommu;
import org.jvmm.vfio.mdev.MdevDevice;

/**
 * An x86-toy machine whose only device is one mdev of {@code type}, created on the simulated host
 * and given to the guest in slot 4 through {@code sysfsdev=} (what guests f to h run on). One test
 * thread; closes everything it made.
 */
final class MdevMachine implements AutoCloseable {
    static final String UUID_TEXT = "6c1e0b7a-3f2d-4e5c-9a8b-7d6e5f4a3b2c";

    final ByteArrayOutputStream console = new ByteArrayOutputStream();
    final X86ToyBuilder builder;
    final X86ToyMachine machine;
    final MdevDevice mdev;
    final X86ToyBuilder.X86Host host;

    MdevMachine(String type, MdevParentConfig parent, VfioMdevConfig.Display display, long memlock) {
        builder = new X86ToyBuilder(MemoryConfig.of(64L << 20)).memlock(memlock).console(console);
        if (parent != null) {
            builder.mdev().parent(parent);
        }
        builder.mdev().mdev(new MdevConfig(type, UUID.fromString(UUID_TEXT), MdevConfig.Front.MAINLINE, "-mdev " + type));
        builder.vfioMdev(new VfioMdevConfig(UUID_TEXT, 4, display, "-device vfio-pci,sysfsdev=/sys/bus/mdev/devices/" + UUID_TEXT));
        host = builder.buildHost(new HostMemoryRegistry());
        machine = builder.build(host);
        mdev = builder.mdev().bus().device(UUID_TEXT);
    }

    MdevMachine(String type) {
        this(type, null, VfioMdevConfig.Display.OFF, 1L << 30);
    }

    X86ToyMachine.RunResult boot(String image, long arg, java.util.function.IntConsumer onCheckpoint) throws InterruptedException {
        if (onCheckpoint != null) {
            machine.layout().checkpoint().setHandler(onCheckpoint);
        }
        machine.boot(GuestImages.x86(image), arg);
        return machine.run(Duration.ofSeconds(30), null);
    }

    Type1Iommu type1() {
        return (Type1Iommu) machine.vfio().container().backend();
    }

    String console() {
        return console.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() {
        machine.close();
    }
}
