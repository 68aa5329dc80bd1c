/**
 * vfio-pci: the bus driver ({@link org.jvmm.vfio.pci.VfioPciDriver}) and its per-device core
 * ({@link org.jvmm.vfio.pci.VfioPciCore}): config space, regions at {@code index << 40}, BAR
 * mmaps that bus-error while memory decode is off, INTx/MSI/MSI-X/ERR/REQ through eventfds.
 */
package org.jvmm.vfio.pci;
