/**
 * Machines: builders that assemble guest RAM, buses and devices into address spaces, and the
 * owner of everything they allocate.
 */
package org.jvmm.machine;
