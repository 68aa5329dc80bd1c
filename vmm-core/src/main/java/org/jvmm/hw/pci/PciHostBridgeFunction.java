package org.jvmm.hw.pci;

/**
 * Function 00.0 of the root bus: the host bridge itself (class 0x0600), with the identity QEMU
 * gives its generic PCIe host bridge (1b36:0008).
 */
public final class PciHostBridgeFunction extends PciFunction {
    public PciHostBridgeFunction() {
        super("host-bridge", 0x1b36, 0x0008, 0x060000, 0);
    }
}
