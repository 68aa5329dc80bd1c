/** Trace events of the VFIO model (JFR), in one catalog: {@link org.jvmm.vfio.trace.VfioTrace}. */
package org.jvmm.vfio.trace;
