/**
 * Configuration records, one per resource a machine is built from (Firecracker's
 * {@code vmm_config}): {@link org.jvmm.machine.config.MachineConfig} (which machine, its options),
 * {@link org.jvmm.machine.config.MemoryConfig} (guest RAM), {@link org.jvmm.machine.config.HostDeviceConfig}
 * (a function of the simulated host), {@link org.jvmm.machine.config.VfioPciConfig} (a host function
 * given to the guest) and {@link org.jvmm.machine.config.PseriesConfig} (pseries options).
 *
 * <p>Each record refuses a bad value when it is made, with a message that starts with where the
 * value came from ({@code origin}: the command-line option as the user gave it, or a description
 * when code builds the record) and names the value, as the command line reports it. Checks that
 * need a machine's limits or several records at once (RAM limit, a host function given twice, a
 * slot in use) are made by the machine's builder ({@code X86ToyBuilder}, {@code PseriesBuilder})
 * with the words kept here. This package knows no machine; the builders depend on it.
 */
package org.jvmm.machine.config;
