/**
 * Exit handling: one pure function, {@link org.jvmm.dispatch.ExitDispatcher#handle}, takes a
 * vCPU exit and the machine's peripherals (its address spaces) and carries the access out, the way
 * Firecracker's handle_kvm_exit does; exits are counted, with their handling time, by kind.
 */
package org.jvmm.dispatch;
