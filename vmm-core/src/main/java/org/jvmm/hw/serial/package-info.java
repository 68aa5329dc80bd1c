/**
 * A 16550-style UART for the toy guests' output ({@link org.jvmm.hw.serial.Serial16550}): the
 * transmit register goes to the console, the transmitter always reads empty; no receive path and
 * no interrupt. Accessed from vCPU threads under the UART's own lock.
 */
package org.jvmm.hw.serial;
