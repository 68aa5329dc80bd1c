/**
 * vfio-pci: the bus driver ({@link org.jvmm.vfio.pci.VfioPciDriver}) and its per-device core
 * ({@link org.jvmm.vfio.pci.VfioPciCore}, Linux's vfio_pci_core.c and vfio_pci_config.c: config
 * space, regions at {@code index << 40}, open, release, reset), with interrupts in
 * {@code VfioPciIntrs} (vfio_pci_intrs.c: INTx/MSI/MSI-X/ERR/REQ through eventfds) and BAR mmaps
 * in {@code VfioPciMmap} (vfio_pci_core.c's mmap and fault handling: mappings that bus-error while
 * memory decode is off, revoked when it goes off or the device resets). A BAR access takes no lock
 * of the driver; the class comments give the lock order.
 */
package org.jvmm.vfio.pci;
