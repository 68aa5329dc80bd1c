/**
 * QEMU's edu educational device (1234:11e8), from docs/specs/edu.rst, with an optional PASID mode
 * of the project's own ({@link org.jvmm.devices.edu.EduDevice#withPasid}): PCIe with PASID, ATS
 * and PRI capabilities, PASID-tagged DMA to virtual addresses, and page requests on a fault.
 */
package org.jvmm.devices.edu;
