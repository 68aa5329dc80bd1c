package org.jvmm.machine.pseries;

import org.jvmm.host.kernel.PowerHost;
import org.jvmm.machine.config.MachineType;
import org.jvmm.machine.config.MemoryConfig;
import org.jvmm.machine.config.PseriesConfig;

/**
 * Assembles a pseries machine from configuration records (Firecracker's {@code builder.rs}): a
 * {@link PowerHost}, the machine with its {@link MemoryConfig RAM} and {@link PseriesConfig
 * options}, and the host's edu given to the guest through vfio-pci in PCI slot {@link #EDU_SLOT}.
 * The command line, qtest, tests and benchmarks build pseries here. Not thread-safe: one thread
 * builds.
 */
public final class PseriesBuilder {
    /** The most RAM the pseries machine takes: 1 TiB, far below the PHB windows. */
    public static final long RAM_MAX = 1L << 40;
    /** The guest PCI slot the host's edu is given in. */
    public static final int EDU_SLOT = 1;

    private final MemoryConfig memory;
    private PseriesConfig options = PseriesConfig.DEFAULT;
    private PowerHost host;
    private Boolean ppcLittleEndian;
    private boolean withEdu = true;
    private int eduSlot = EDU_SLOT;
    private boolean guestAssignsBars;
    private java.io.PrintStream console;

    /**
     * @throws IllegalArgumentException naming the memory's origin when it is not a whole number
     *     of MiB from 1M to {@link #RAM_MAX}
     */
    public PseriesBuilder(MemoryConfig memory) {
        this.memory = memory.checkFor(MachineType.PSERIES, RAM_MAX);
    }

    public PseriesBuilder options(PseriesConfig o) {
        this.options = o;
        return this;
    }

    /** Builds beside {@code h} instead of a new {@link PowerHost} (for a caller that inspects the host). */
    public PseriesBuilder host(PowerHost h) {
        this.host = h;
        return this;
    }

    /**
     * Runs the PPC64 CPU ({@link PseriesMachine#createWithPpcCpu}) in place of the scripted one;
     * it links windows the mainline way only ({@link #build} refuses {@code link=seed} with it).
     */
    public PseriesBuilder ppcCpu(boolean littleEndian) {
        this.ppcLittleEndian = littleEndian;
        return this;
    }

    /**
     * Puts the edu in PCI slot {@code slot} as the guest finds it after QEMU's -bios boot: BARs
     * unassigned and COMMAND 0 (the command line's machine; qtest and tests get BAR0 placed and
     * enabled in slot {@link #EDU_SLOT} unless told this).
     */
    public PseriesBuilder eduUnassigned(int slot) {
        this.eduSlot = slot;
        this.guestAssignsBars = true;
        return this;
    }

    /** Where the vty writes (with the PPC64 CPU); nothing is written anywhere without it. */
    public PseriesBuilder console(java.io.PrintStream out) {
        this.console = out;
        return this;
    }

    /** Leaves the edu out: a machine without devices. */
    public PseriesBuilder withoutEdu() {
        this.withEdu = false;
        return this;
    }

    /** The host the machine is (or will be) built beside; made on first use. */
    public PowerHost host() {
        if (host == null) {
            host = PowerHost.create();
        }
        return host;
    }

    /**
     * Builds the machine; on failure closes what it made.
     *
     * @throws IllegalArgumentException naming the option, for the per-window LIOBN link with the
     *     PPC64 CPU
     */
    public PseriesMachine build() {
        PowerHost h = host();
        PseriesMachine m;
        if (ppcLittleEndian != null) {
            if (options.link() != PseriesConfig.DEFAULT.link()) {
                throw new IllegalArgumentException("pseries with the PPC64 CPU: link=" + options.link()
                        + " is not offered (mainline only)");
            }
            m = console == null
                    ? PseriesMachine.createWithPpcCpu(h.platform(), memory.ramSize(), options.kvmTce(), ppcLittleEndian)
                    : PseriesMachine.createWithPpcCpu(h.platform(), memory.ramSize(), options.kvmTce(), ppcLittleEndian,
                            console);
        } else {
            m = PseriesMachine.create(h.platform(), memory.ramSize(), options.kvmTce(), options.link());
        }
        if (withEdu) {
            try {
                if (guestAssignsBars) {
                    m.addVfioPciUnassigned(PowerHost.EDU, eduSlot);
                } else {
                    m.addVfioPci(PowerHost.EDU, eduSlot);
                }
            } catch (RuntimeException e) {
                try {
                    m.close();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }
        return m;
    }
}
