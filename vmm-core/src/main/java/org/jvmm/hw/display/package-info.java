/**
 * What the VMM shows of a guest display: a captured {@link org.jvmm.hw.display.Frame} and
 * {@link org.jvmm.hw.display.ScreenDump}, which writes it as QEMU's {@code screendump} does
 * (binary PPM, or PNG).
 */
package org.jvmm.hw.display;
