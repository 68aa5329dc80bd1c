/** A small host PCI function with MSI-X: a doorbell register that raises the vector written to it. */
package org.jvmm.devices.msixdoorbell;
