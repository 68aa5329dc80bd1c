/**
 * Seed 003's vGPU management interface (2016, never merged; reference A.0, A-0a) as a thin
 * alternative front over the mainline mdev core: {@link org.jvmm.vfio.mdev.seed.VgpuSysfs}. Mainline
 * ({@link org.jvmm.vfio.mdev.MdevBus}'s {@code create}/{@code remove}) stays the default; this front
 * exists so the two designs can be compared side by side.
 */
package org.jvmm.vfio.mdev.seed;
