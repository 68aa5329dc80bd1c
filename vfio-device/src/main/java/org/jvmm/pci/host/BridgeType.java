package org.jvmm.pci.host;

/**
 * The kind of a PCI bridge, as far as IOMMU grouping cares.
 *
 * <p>A {@link #PCIE_TO_PCI} bridge (or a conventional PCI-to-PCI bridge) forwards the transactions
 * of everything behind it with its own requester ID, so the IOMMU cannot tell those devices apart:
 * they and the bridge share one IOMMU group (Linux drivers/pci/search.c pci_for_each_dma_alias).
 * PCI Express ports keep requester IDs; whether devices below them are isolated depends on ACS.
 */
public enum BridgeType {
    /** A PCI Express root port. */
    PCIE_ROOT_PORT,
    /** A PCI Express switch downstream port. */
    PCIE_DOWNSTREAM_PORT,
    /** A PCI Express to PCI/PCI-X bridge, or a conventional PCI bridge: aliases everything below it. */
    PCIE_TO_PCI;

    /** True when devices behind the bridge are seen by the IOMMU as the bridge itself. */
    public boolean aliasesDevicesBehind() {
        return this == PCIE_TO_PCI;
    }
}
