/**
 * The {@code mtty} sample vendor driver (Linux samples/vfio-mdev/mtty.c) as a host-side mdev
 * vendor driver: a virtual PCI card with one or two 16550 serial ports whose transmitter loops
 * back into its receiver, INTx and MSI through eventfds, no DMA. {@link org.jvmm.devices.mtty.MttyDriver}
 * registers the parent and its two types; {@link org.jvmm.devices.mtty.MttyDevice} is one mdev,
 * which migrates through VFIO_DEVICE_FEATURE with the sample's state image (MttyMigration, A-19).
 */
package org.jvmm.devices.mtty;
