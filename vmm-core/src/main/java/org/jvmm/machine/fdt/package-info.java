/**
 * Flattened device trees (the devicetree specification's FDT blob, version 17): {@link
 * org.jvmm.machine.fdt.FdtNode} a node with its properties in order, {@link org.jvmm.machine.fdt.Fdt} the blob
 * writer and reader. Machines build their tree as nodes and hand the guest the blob.
 */
package org.jvmm.machine.fdt;
