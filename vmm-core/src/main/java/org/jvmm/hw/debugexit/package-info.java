/**
 * QEMU's isa-debug-exit: a port whose write ends the run with status {@code (v << 1) | 1}, so a
 * test guest reports pass or fail as an exit code ({@link org.jvmm.hw.debugexit.DebugExit}).
 * Written from vCPU threads.
 */
package org.jvmm.hw.debugexit;
