/**
 * A hook the VMM installs to see this module's trace events (DMA maps, IOMMU faults, guest
 * errors) beside Java Flight Recorder: the journal's way in.
 */
package org.jvmm.host.trace;
