package org.jvmm.guests;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.hw.vfio.VfioPciDevice;
import org.jvmm.machine.config.HostDeviceConfig;
import org.jvmm.machine.config.MemoryConfig;
import org.jvmm.machine.config.VfioPciConfig;
import org.jvmm.machine.x86.X86ToyBuilder;
import org.jvmm.machine.x86.X86ToyMachine;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.host.HostPciPlatform;

/**
 * An x86-toy machine with a host edu at 0000:00:03.0, bound to vfio-pci and given to the guest in
 * slot 3: what guests (b) to (e) run on. One test thread; closes everything it made.
 */
final class EduMachine implements AutoCloseable {
    static final PciAddress EDU = PciAddress.parse("0000:00:03.0");

    final HostMemoryRegistry registry = new HostMemoryRegistry();
    final EduDevice edu;
    final HostPciPlatform platform;
    final ByteArrayOutputStream console = new ByteArrayOutputStream();
    final X86ToyMachine machine;
    final VfioPciDevice vfioEdu;
    final VfioPciDevice vfioIvshmem;
    final HostMapping shared;
    static final PciAddress IVSHMEM = PciAddress.parse("0000:00:04.0");

    EduMachine(long ramSize) {
        this(ramSize, false, false);
    }

    /**
     * @param withIvshmem also a host ivshmem-plain (1 MiB) at 0000:00:04.0, given in slot 4
     * @param noMmap give ivshmem with every BAR access trapped (QEMU's x-no-mmap)
     */
    EduMachine(long ramSize, boolean withIvshmem, boolean noMmap) {
        X86ToyBuilder b = new X86ToyBuilder(MemoryConfig.of(ramSize)).memlock(1L << 30).console(console)
                .hostDevice(HostDeviceConfig.edu(EDU)).vfioPci(VfioPciConfig.of(EDU, 3));
        if (withIvshmem) {
            b.hostDevice(HostDeviceConfig.ivshmem(IVSHMEM, 1L << 20)).vfioPci(VfioPciConfig.of(IVSHMEM, 4).withNoMmap(noMmap));
        }
        X86ToyBuilder.X86Host host = b.buildHost(registry);
        platform = host.platform();
        edu = (EduDevice) platform.function("edu machine", EDU).model();
        shared = withIvshmem ? host.sharedMemory().get(0) : null;
        machine = b.build(host);
        List<VfioPciDevice> given = machine.vfioDevices();
        vfioEdu = given.get(0);
        vfioIvshmem = withIvshmem ? given.get(1) : null;
    }

    /** Runs the guest with {@code onCheckpoint} as the checkpoint port's handler. */
    X86ToyMachine.RunResult boot(String image, java.util.function.IntConsumer onCheckpoint) throws InterruptedException {
        machine.layout().checkpoint().setHandler(onCheckpoint);
        return boot(image);
    }

    X86ToyMachine.RunResult boot(String image) throws InterruptedException {
        machine.boot(GuestImages.x86(image), 0);
        return machine.run(Duration.ofSeconds(30), null);
    }

    String console() {
        return console.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() {
        machine.close();
    }
}
