/**
 * The memory API, in QEMU's terms: a tree of {@link org.jvmm.memory.MemoryRegion}s (RAM, MMIO,
 * alias, container, IOMMU) under an {@link org.jvmm.memory.AddressSpace}, flattened into a sorted,
 * non-overlapping {@link org.jvmm.memory.FlatView} that every access is dispatched through, and
 * {@link org.jvmm.memory.MemoryListener}s that learn of every change. The address space keeps the
 * topology and the listeners; its {@code AccessDispatch} carries out the accesses (RAM, MMIO under
 * the device's access rules, IOMMU regions, holes), each returning its own
 * {@link org.jvmm.memory.MemTxResult}. Values move in and out of bytes through
 * {@link org.jvmm.address.bytes.Bytes}.
 *
 * <h2>Threads</h2>
 * The tree is changed (regions added, removed, moved, enabled) under one topology lock, which
 * plays QEMU's big lock for memory: any thread may change it (the control thread hot-plugging RAM,
 * a vCPU thread whose PCI config write moves a BAR), one at a time, and a transaction holds the
 * lock from begin to commit. Listener callbacks run with the lock held. Accesses ({@link
 * org.jvmm.memory.GuestMemory}) come from any thread (vCPUs, device threads) and take no lock: they
 * read the current FlatView through a volatile reference, which a commit replaces whole, as QEMU
 * does with RCU.
 */
package org.jvmm.memory;
