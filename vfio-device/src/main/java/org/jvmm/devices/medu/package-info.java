/**
 * medu: QEMU's edu device as a mediated device (no upstream counterpart; reference A.12). Its DMA
 * engine reaches guest memory only through the mdev interface: vfio_pin_pages/vfio_unpin_pages
 * (keeping pins between jobs, as GVT keeps shadowed pages) or vfio_dma_rw, and it drops its pins
 * when TYPE1's dma_unmap notifier fires. {@link org.jvmm.devices.medu.MeduDriver} is the parent and
 * driver, {@link org.jvmm.devices.medu.MeduDevice} one mdev.
 */
package org.jvmm.devices.medu;
