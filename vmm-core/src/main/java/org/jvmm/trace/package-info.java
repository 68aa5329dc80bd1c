/**
 * The VMM's trace catalog, in the manner of QEMU's trace-events: one JFR event type per thing the
 * VMM does that a run may need explaining by (an exit handled, a memslot or DMA mapping made or
 * removed, a BAR faulted in, an MSI route changed). Events cost a flag test when recording is off.
 * Record a run with {@code JAVA_TOOL_OPTIONS=-XX:StartFlightRecording=filename=run.jfr ./vmm} and
 * read it with {@code jfr print --categories jvmm run.jfr}.
 */
package org.jvmm.trace;
