/**
 * A test port with no QEMU counterpart: a guest write hands control to the machine's checkpoint
 * handler on the vCPU's thread, so an end-to-end test can change the machine (move RAM, read a
 * counter) at a point the guest chooses ({@link org.jvmm.hw.checkpoint.CheckpointPort}).
 */
package org.jvmm.hw.checkpoint;
