package org.jvmm.machine.config;

/**
 * A device served by another process over vfio-user, given to the guest (QEMU's
 * {@code -device vfio-user-pci,socket=PATH}).
 *
 * @param socket the server's Unix socket path
 * @param slot the guest PCI slot (1-31)
 * @param noMmap trap every BAR access even where the server offers an fd (QEMU's x-no-mmap)
 * @param dmaMessages map guest RAM without fds, so the server's DMA goes by DMA_READ/WRITE messages
 * @param origin the option as given, for messages
 */
public record VfioUserPciConfig(String socket, int slot, boolean noMmap, boolean dmaMessages, String origin) {
    public VfioUserPciConfig {
        if (socket == null || socket.isEmpty()) {
            throw new IllegalArgumentException(origin + ": the socket path is empty");
        }
        if (slot < 1 || slot > 31) {
            throw new IllegalArgumentException(origin + ": PCI slot " + slot + " is not from 1 to 31");
        }
    }
}
