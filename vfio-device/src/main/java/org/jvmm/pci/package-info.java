/**
 * PCI as hardware: function addresses ({@link org.jvmm.pci.PciAddress}), identities, BARs, the
 * config space of an endpoint ({@link org.jvmm.pci.PciConfigSpace}), and what a device model
 * implements ({@link org.jvmm.pci.PciDeviceModel}) and is given: a {@link org.jvmm.pci.DmaPort}
 * that speaks I/O virtual addresses and an {@link org.jvmm.pci.InterruptSink}. A model records the
 * requests it refuses because the guest got them wrong in a {@link org.jvmm.pci.GuestErrorLog}.
 */
package org.jvmm.pci;
