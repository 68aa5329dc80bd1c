/**
 * The QMP monitor: QEMU's machine protocol (as QEMU 7.2 speaks it) on a Unix or TCP socket served
 * by Netty. {@link org.jvmm.qmp.QmpMonitor} is the command engine, apart from any transport;
 * {@link org.jvmm.qmp.QmpServer} serves it to any number of clients, {@link org.jvmm.qmp.QmpFramer}
 * cutting their byte streams into JSON texts; {@link org.jvmm.qmp.MonitoredMachine} is the seam a
 * machine implements to be driven (x86-toy, pseries).
 */
package org.jvmm.qmp;
