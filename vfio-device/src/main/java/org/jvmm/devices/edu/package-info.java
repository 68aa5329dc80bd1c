/** QEMU's edu educational device (1234:11e8), from docs/specs/edu.rst. */
package org.jvmm.devices.edu;
