/**
 * The {@code ./vmm} command line ({@link org.jvmm.cli.Main}, picocli): QEMU-style options
 * ({@code -M}, {@code -m}, {@code -kernel}, {@code -device vfio-pci,...}) plus {@code -host-device}
 * for the simulated host. Options are parsed here and turned into the configuration records of
 * {@code org.jvmm.machine.config}; the machine builders check them and assemble the machine. Bad
 * input exits with status 2 and a message naming the option and the value as given; a host
 * without usable KVM exits with status 3. The {@code serve-device} subcommand
 * ({@link org.jvmm.cli.ServeDevice}) serves a host device of this process over vfio-user
 * ({@link org.jvmm.cli.VfioUserHostDevice} assembles it).
 */
package org.jvmm.cli;
