/**
 * The journal: {@code -journal DIR[,categories=...]} appends every trace event the VMM has (exits
 * by kind, MMIO exits, hypercalls with arguments and status, VFIO DMA maps and unmaps with errno,
 * IOMMU faults, BAR faults, MSI routes, memslots, QMP commands, guest errors) to a Chronicle Queue;
 * {@code ./vmm journal show|summary|verify DIR} reads it back, follows a live run, totals it, or
 * replays a pseries -qtest run on the soft CPU and compares the two journals event for event.
 * {@link org.jvmm.journal.Journal} is the one sink the trace points feed; a category not recorded
 * costs its trace point one volatile read.
 */
package org.jvmm.journal;
