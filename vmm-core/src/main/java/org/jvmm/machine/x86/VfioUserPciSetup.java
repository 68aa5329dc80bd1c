package org.jvmm.machine.x86;

import java.io.IOException;
import java.util.function.Consumer;
import org.jvmm.hw.vfio.VfioPciDevice;
import org.jvmm.hw.vfio.VfioUserDmaListener;
import org.jvmm.machine.config.VfioUserPciConfig;
import org.jvmm.vfiouser.VfioUserDevice;

/**
 * Plugs a device served over vfio-user into an x86-toy machine (QEMU's {@code -device
 * vfio-user-pci,socket=PATH}): connects and negotiates, maps guest RAM for the server's DMA with
 * a {@link VfioUserDmaListener} (its replay sends DMA_MAP for the RAM there already), then gives
 * the device to the guest through the vfio-pci consumer. At close the listener leaves the
 * address space first (DMA_UNMAP of every section), then the connection closes.
 */
public final class VfioUserPciSetup {
    private VfioUserPciSetup() {
    }

    /**
     * @param report where the loss of the server is told (once)
     * @throws IllegalArgumentException naming the option: no such socket, connection refused, a
     *     version the server does not speak, or the device refused at realize
     */
    public static VfioPciDevice plug(X86ToyMachine m, VfioUserPciConfig c, Consumer<String> report) {
        VfioUserDevice dev;
        try {
            dev = VfioUserDevice.connect(c.socket(), m.memory().registry(),
                    what -> report.accept(c.origin() + ": " + what));
        } catch (IOException e) {
            throw new IllegalArgumentException(c.origin() + ": " + e.getMessage(), e);
        }
        VfioUserDmaListener dma = new VfioUserDmaListener(dev.client(), c.dmaMessages());
        org.jvmm.memory.AddressSpace as = m.layout().memory();
        try {
            as.addListener(dma);
        } catch (RuntimeException e) {
            dev.close();
            throw e;
        }
        dev.onClose(() -> as.removeListener(dma));
        if (!dma.errors().isEmpty()) {
            dev.close();
            throw new IllegalArgumentException(c.origin() + ": the server refused guest RAM for DMA: " + dma.errors().get(0));
        }
        try {
            VfioPciDevice d = m.addVfioDeviceFile("vfio-user-" + c.slot(), dev, c.slot(), c.noMmap());
            m.countServedDevice(d, dma);
            return d;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(c.origin() + ": " + e.getMessage(), e);
        }
    }
}
