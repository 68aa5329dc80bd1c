package org.jvmm.guests;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.devices.ivshmem.IvshmemPlainDevice;
import org.jvmm.host.kernel.HostKernel;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.hw.vfio.VfioPciDevice;
import org.jvmm.machine.x86.X86ToyMachine;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.host.memory.LockedMemoryAccount;

/**
 * An x86-toy machine with a host edu at 0000:00:03.0, bound to vfio-pci and given to the guest in
 * slot 3: what guests (b) to (e) run on. One test thread; closes everything it made.
 */
final class EduMachine implements AutoCloseable {
    static final PciAddress EDU = PciAddress.parse("0000:00:03.0");

    final HostMemoryRegistry registry = new HostMemoryRegistry();
    final EduDevice edu = new EduDevice();
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
        HostKernel.Builder b = HostKernel.builder()
                .memory(registry)
                .memlock(new LockedMemoryAccount(1L << 30, false))
                .endpoint(EDU.toString(), edu, HostPciPlatform.VFIO_PCI, true);
        if (withIvshmem) {
            shared = registry.allocate("ivshmem", 1L << 20);
            b.endpoint(IVSHMEM.toString(), new IvshmemPlainDevice(shared), HostPciPlatform.VFIO_PCI, true);
        } else {
            shared = null;
        }
        platform = b.build();
        machine = X86ToyMachine.create(registry, ramSize, console);
        try {
            vfioEdu = machine.addVfioPci(platform, EDU, 3);
            vfioIvshmem = withIvshmem ? machine.addVfioPci(platform, IVSHMEM, 4, noMmap) : null;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
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
        if (shared != null) {
            shared.close();
        }
    }
}
