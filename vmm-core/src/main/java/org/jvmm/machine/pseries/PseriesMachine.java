package org.jvmm.machine.pseries;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteOrder;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.jvmm.accel.kvm.GsiRouter;
import org.jvmm.accel.kvm.KvmMemoryListener;
import org.jvmm.dispatch.ExitAction;
import org.jvmm.dispatch.ExitCounters;
import org.jvmm.dispatch.ExitDispatcher;
import org.jvmm.dispatch.ExitHandlingFailure;
import org.jvmm.pci.PciRegs;
import org.jvmm.hw.pci.PciDevfn;
import org.jvmm.hw.spapr.SpaprPhb;
import org.jvmm.hw.vfio.VfioPciDevice;
import org.jvmm.hw.vfio.VfioSpaprSpace;
import org.jvmm.kvm.VcpuExit;
import org.jvmm.kvm.soft.PpcSoftCpu;
import org.jvmm.kvm.soft.ScriptedCpu;
import org.jvmm.kvm.soft.SoftCpu;
import org.jvmm.kvm.soft.SoftKvm;
import org.jvmm.kvm.soft.SoftVcpu;
import org.jvmm.kvm.soft.SoftVm;
import org.jvmm.kvm.spapr.SpaprTceCreate64;
import org.jvmm.machine.MachineMemory;
import org.jvmm.memory.AddressSpace;
import org.jvmm.memory.ContainerRegion;
import org.jvmm.memory.RamRegion;
import org.jvmm.hw.spapr.SpaprVty;
import org.jvmm.papr.DdwRtasCalls;
import org.jvmm.papr.PciConfigRtasCalls;
import org.jvmm.papr.PlatformHypercalls;
import org.jvmm.papr.SystemRtasCalls;
import org.jvmm.papr.EehRtasCalls;
import org.jvmm.papr.PaprHypercalls;
import org.jvmm.papr.Rtas;
import org.jvmm.papr.TceHypercalls;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.host.HostPciPlatform;

/**
 * A pseries machine skeleton (QEMU hw/ppc/spapr.c in outline) on the soft accelerator:
 * <ul>
 * <li>RAM at guest-physical 0, big-endian CPU order;</li>
 * <li>PHB 0 (BUID 0x800000020000000) with QEMU's default DMA window: LIOBN 0x80000000, bus
 *     address 0, 1 GiB of 4 KiB pages; DDW through RTAS for the second window at 2^59;</li>
 * <li>vfio-pci devices on PHB 0 through a sPAPR TCE v2 container: as the guest finds them after
 *     QEMU's -bios boot ({@link #addVfioPciUnassigned}: BARs unassigned, COMMAND 0), or for qtest
 *     and tests with BAR0 placed at bus address 0x80000000 + s * 16 MiB and decode and bus
 *     mastering on ({@link #addVfioPci});</li>
 * <li>the PAPR hypercall table: H_PUT_TCE, H_PUT_TCE_INDIRECT, H_STUFF_TCE, H_GET_TCE, the vty
 *     (H_PUT_TERM_CHAR, H_GET_TERM_CHAR), H_SET_MODE, H_LOGICAL_CI_LOAD/STORE and KVMPPC_H_RTAS
 *     with QEMU 7.2's fixed tokens: the DDW, EEH and PCI configuration calls, display-character,
 *     get-time-of-day, power-off, system-reboot and ibm,os-term ({@link #power}, {@link #run});</li>
 * <li>the device tree QEMU 7.2 builds ({@link #deviceTree});</li>
 * <li>the XICS in the accelerator with its RTAS calls, INTx on the PHB's LSIs and MSIs set up by
 *     ibm,change-msi ({@link PseriesInterrupts});</li>
 * <li>one vCPU with a {@link ScriptedCpu}, or with the PPC64 CPU ({@link #createWithPpcCpu}).</li>
 * </ul>
 * With {@code kvmTce} the window tables are made in the accelerator too and linked to the host
 * windows through the KVM-VFIO device, so H_PUT_TCE completes inside it (no exit); without, every
 * TCE call exits to the VMM's PAPR layer, whose IOMMU notifier then maps through VFIO.
 *
 * <p>Threads: build, {@link #runUntilIdle} and close on one control thread, which is also the
 * vCPU's thread (the scripted CPU runs in the caller).
 */
public final class PseriesMachine implements AutoCloseable {
    /** Where slot s's BAR0 goes on the PCI bus. */
    public static final long BAR_BASE = 0x8000_0000L;
    public static final long BAR_STRIDE = 16L << 20;

    private final MachineMemory memory;
    private final ContainerRegion systemRoot = new ContainerRegion("system", 1L << 48);
    private final AddressSpace system;
    private final AddressSpace io;
    private final RamRegion ram;
    private final SoftKvm kvm;
    private final SoftVm vm;
    private final KvmMemoryListener memslots;
    private final SoftVcpu vcpu;
    private final SpaprPhb phb;
    private final GsiRouter gsiRouter;
    private final PaprHypercalls hcalls = new PaprHypercalls();
    private final Rtas rtas;
    private final PseriesInterrupts interrupts;
    private final ExitCounters counters = new ExitCounters();
    private final ExitDispatcher.Peripherals peripherals;
    /** Written by the vCPU (control) thread alone: a release store, no atomic add. */
    private final java.util.concurrent.atomic.AtomicLong idle = new java.util.concurrent.atomic.AtomicLong();
    private final boolean kvmTce;
    private final VfioSpaprSpace.KvmLink linkStyle;
    private final List<VfioPciDevice> devices = new ArrayList<>();
    private final java.util.Map<VfioPciDevice, PciAddress> hostOf = new java.util.HashMap<>();
    private VfioSpaprSpace vfio;
    private ExitHandlingFailure stoppedBy;
    private boolean closed;

    private PseriesMachine(HostPciPlatform platform, long ramSize, boolean kvmTce, VfioSpaprSpace.KvmLink linkStyle,
            Function<SoftVm, SoftCpu> cpu) {
        this(platform, ramSize, kvmTce, linkStyle, cpu, new PrintStream(OutputStream.nullOutputStream()));
    }

    private PseriesMachine(HostPciPlatform platform, long ramSize, boolean kvmTce, VfioSpaprSpace.KvmLink linkStyle,
            Function<SoftVm, SoftCpu> cpu, PrintStream console) {
        this.kvmTce = kvmTce;
        this.linkStyle = linkStyle;
        memory = new MachineMemory(platform.memory());
        system = memory.adopt(new AddressSpace("memory", systemRoot, ByteOrder.BIG_ENDIAN));
        io = memory.adopt(new AddressSpace("io", new ContainerRegion("io", 1 << 16), ByteOrder.BIG_ENDIAN));
        peripherals = new ExitDispatcher.Peripherals(system, io);
        ram = memory.allocateRam("ppc_spapr.ram", ramSize);
        systemRoot.addSubregion(0, ram);
        kvm = new SoftKvm();
        vm = kvm.createVm(platform.memory());
        memslots = new KvmMemoryListener(vm);
        system.addListener(memslots);
        vcpu = vm.createVcpu(0, cpu.apply(vm));
        gsiRouter = new GsiRouter(vm);
        phb = new SpaprPhb(0, system, systemRoot, (1L << 12) | (1L << 16) | (1L << 21) | (1L << 24), true);
        if (kvmTce) {
            phb.useKvmTables((liobn, shift, bus, entries) ->
                    vm.createSpaprTce64(new SpaprTceCreate64(liobn, shift, 0, bus >>> shift, entries)));
        }
        phb.resetDma();
        new TceHypercalls(phb::tableByLiobn, system).registerIn(hcalls);
        rtas = new Rtas(system);
        new DdwRtasCalls(List.of(phb)).registerIn(rtas);
        new EehRtasCalls(buid -> buid == phb.buid(), op -> {
            if (vfio == null) {
                throw new IllegalStateException("no VFIO device on PHB 0");
            }
            return vfio.container().eehPeOp(org.jvmm.vfio.iommu.EehPeOp.of(op));
        }).registerIn(rtas);
        vty = new SpaprVty(console);
        hcalls.register(org.jvmm.papr.PaprNumbers.H_PUT_TERM_CHAR, vty::hPutTermChar);
        hcalls.register(org.jvmm.papr.PaprNumbers.H_GET_TERM_CHAR, vty::hGetTermChar);
        new PlatformHypercalls(system, this::setInterruptLittleEndian).registerIn(hcalls);
        new SystemRtasCalls(system, vty::putChars, power, Clock.systemUTC()).registerIn(rtas);
        new PciConfigRtasCalls(buid -> buid == phb.buid() ? phb.bus() : null).registerIn(rtas);
        interrupts = PseriesInterrupts.attach(vm, rtas, phb);
        rtas.registerIn(hcalls);
        this.platform = platform;
    }

    private final HostPciPlatform platform;
    private final SpaprVty vty;
    private final PseriesPower power = new PseriesPower();

    /** H_SET_MODE's interrupt endianness: LPCR[ILE] of the PPC64 CPU (a scripted CPU has none). */
    private void setInterruptLittleEndian(boolean little) {
        if (vcpu.cpu() instanceof PpcSoftCpu c) {
            c.ppc().setInterruptLittleEndian(little);
        }
    }

    /**
     * Builds the machine over {@code platform} (whose memory registry holds guest RAM, so VFIO can
     * map it), with {@code ramSize} bytes of RAM.
     *
     * @param kvmTce make the TCE tables in the accelerator and link them (the in-kernel fast path)
     */
    public static PseriesMachine create(HostPciPlatform platform, long ramSize, boolean kvmTce) {
        return new PseriesMachine(platform, ramSize, kvmTce, VfioSpaprSpace.KvmLink.MAINLINE, vm -> new ScriptedCpu());
    }

    /** As {@link #create}, linking with the given KVM-VFIO attribute. */
    public static PseriesMachine create(HostPciPlatform platform, long ramSize, boolean kvmTce, VfioSpaprSpace.KvmLink link) {
        return new PseriesMachine(platform, ramSize, kvmTce, link, vm -> new ScriptedCpu());
    }

    /**
     * As {@link #create}, with the PPC64 CPU ({@link PpcSoftCpu}) in place of the script: it runs
     * guest code from RAM in 64-bit real mode, big- or little-endian, starting at PC 0. Write the
     * image into {@link #ram()}, then {@code ppcCpu().ppc().invalidateCode} and set PC; run with
     * {@link #runUntil}.
     */
    public static PseriesMachine createWithPpcCpu(HostPciPlatform platform, long ramSize, boolean kvmTce, boolean littleEndian) {
        return new PseriesMachine(platform, ramSize, kvmTce, VfioSpaprSpace.KvmLink.MAINLINE,
                vm -> new PpcSoftCpu(vm, ramSize, littleEndian));
    }

    /** As {@link #createWithPpcCpu}, with the vty writing to {@code console}. */
    public static PseriesMachine createWithPpcCpu(HostPciPlatform platform, long ramSize, boolean kvmTce, boolean littleEndian,
            PrintStream console) {
        return new PseriesMachine(platform, ramSize, kvmTce, VfioSpaprSpace.KvmLink.MAINLINE,
                vm -> new PpcSoftCpu(vm, ramSize, littleEndian), console);
    }

    /**
     * Puts host function {@code host} in PCI slot {@code slot} of PHB 0 through VFIO, BAR0 placed
     * at {@link #BAR_BASE} + slot * {@link #BAR_STRIDE} and memory and bus mastering enabled (what
     * qtest scripts and tests start from).
     */
    public VfioPciDevice addVfioPci(PciAddress host, int slot) {
        VfioPciDevice d = addVfioPciUnassigned(host, slot);
        d.configWrite(PciRegs.BASE_ADDRESS_0, 4, (int) (BAR_BASE + slot * BAR_STRIDE));
        d.configWrite(PciRegs.COMMAND, 2, PciRegs.COMMAND_MEMORY | PciRegs.COMMAND_MASTER);
        return d;
    }

    /**
     * Puts host function {@code host} in PCI slot {@code slot} of PHB 0 through VFIO as the guest
     * finds it after QEMU's -bios boot: BARs unassigned, COMMAND 0; the guest assigns them.
     */
    public VfioPciDevice addVfioPciUnassigned(PciAddress host, int slot) {
        if (vfio == null) {
            vfio = new VfioSpaprSpace(platform, system, phb, kvmTce ? vm : null, linkStyle);
        }
        int pin = platform.function("vfio-pci realize", host).model().interruptPin();
        VfioPciDevice d = VfioPciDevice.realize("vfio-" + host, vfio, host, vm, gsiRouter, pin == 0 ? -1 : interrupts.intxIrq(slot, pin));
        try {
            phb.bus().plug(new PciDevfn(slot, 0), d);
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
        devices.add(d);
        hostOf.put(d, host);
        return d;
    }

    /** Guest errors the host device behind {@code d} recorded (requests it refused). */
    public long guestErrorCount(VfioPciDevice d) {
        PciAddress host = hostOf.get(d);
        if (host == null) {
            throw new IllegalArgumentException("pseries guest errors: " + d.name() + " is not a device of this machine");
        }
        return platform.function("guest errors", host).guestErrorCount();
    }

    /** The guest-physical address of BAR0 of the device in {@code slot}. */
    public long bar0Address(int slot) {
        return phb.mmioWindowBase() + BAR_BASE + slot * BAR_STRIDE;
    }

    /**
     * Runs the vCPU until its script is done (a Halt exit), handling every other exit on the way:
     * MMIO through the memory dispatch, hypercalls through the PAPR table. Returns the exits handled.
     */
    public int runUntilIdle() {
        return runUntil(() -> false);
    }

    /**
     * As {@link #runUntilIdle}, and also returns once {@code done} holds after an exit was handled
     * (a guest that never idles: a hypercall handler of the test or the board sets the condition).
     */
    public int runUntil(BooleanSupplier done) {
        if (stoppedBy != null) {
            throw new IllegalStateException("pseries machine stopped after an internal error: " + stoppedBy.getMessage(),
                    stoppedBy);
        }
        ExitDispatcher.Peripherals p = peripherals;
        int n = 0;
        while (true) {
            VcpuExit exit = vcpu.run();
            if (exit instanceof VcpuExit.Halt) {
                idled(); // the script is done: the CPU idles (not an exit the VMM handles)
                return n;
            }
            ExitAction a;
            try {
                a = ExitDispatcher.handle(p, hcalls, exit, counters);
            } catch (ExitHandlingFailure e) {
                stoppedBy = e; // a VMM bug: the vCPU does not run again
                throw e;
            }
            n++;
            if (a instanceof ExitAction.Stop s) {
                throw new IllegalStateException("pseries vCPU stopped: " + s.reason());
            }
            if (done.getAsBoolean()) {
                return n;
            }
        }
    }

    /** How {@link #run} ended. */
    public enum Stop {
        /** RTAS power-off (QEMU exits with status 0). */
        POWER_OFF,
        /** RTAS system-reboot: reset, reload firmware and call {@link #run} again. */
        REBOOT,
        /** RTAS ibm,os-term: the guest panicked ({@link PseriesPower#osTermMessage}). */
        OS_TERM,
        /** The CPU cannot go on (a state the soft CPU does not model); {@link #failure} says why. */
        CPU_FAILED,
        /** The time limit passed (the vCPU was kicked). */
        TIMEOUT
    }

    /**
     * Runs the vCPU until the guest powers off, reboots or terminates, the CPU fails, or
     * {@code deadlineNanos} ({@link System#nanoTime}) passes: another thread kicks the vCPU then.
     * {@code wait} only idles the CPU (its decrementer still runs on retired instructions), so a
     * guest that waits goes on. After power-off or os-term the vCPU does not run again.
     */
    public Stop run(long deadlineNanos) {
        ExitDispatcher.Peripherals p = peripherals;
        while (true) {
            if (power.poweredOff()) {
                return Stop.POWER_OFF;
            }
            if (power.osTermMessage() != null) {
                return Stop.OS_TERM;
            }
            if (power.rebootRequested()) {
                return Stop.REBOOT;
            }
            if (System.nanoTime() - deadlineNanos >= 0) {
                return Stop.TIMEOUT;
            }
            VcpuExit exit = vcpu.run();
            switch (exit) {
                case VcpuExit.Halt h -> idled();
                case VcpuExit.Interrupted i -> {
                }
                case VcpuExit.InternalError e -> {
                    failure = vcpu.cpu() instanceof PpcSoftCpu c && c.failure() != null ? c.failure()
                            : "internal error " + e.data();
                    return Stop.CPU_FAILED;
                }
                default -> ExitDispatcher.handle(p, hcalls, exit, counters);
            }
        }
    }

    private String failure;

    /** Why the CPU stopped with {@link Stop#CPU_FAILED}, or null. */
    public String failure() {
        return failure;
    }

    /** What the VMM saw: exits, BAR traps, DMA, IOMMU work, interrupts, guest errors. */
    public org.jvmm.machine.RunSummary summary() {
        long traps = 0;
        long barFaults = 0;
        long toMem = 0;
        long fromMem = 0;
        long msi = 0;
        long intx = 0;
        long guestErrors = 0;
        for (VfioPciDevice d : devices) {
            traps += d.trappedReads() + d.trappedWrites();
            barFaults += d.barFaults();
            org.jvmm.pci.host.HostPciFunction f = platform.function("summary", hostOf.get(d));
            toMem += f.dmaPort().bytesToMemory();
            fromMem += f.dmaPort().bytesFromMemory();
            msi += f.msiMessages();
            intx += f.intxAssertions();
            guestErrors += f.guestErrorCount();
        }
        long maps = vfio == null ? 0 : vfio.notifierMaps();
        long unmaps = vfio == null ? 0 : vfio.notifierUnmaps();
        long faults = platform.faults().faults().size();
        return new org.jvmm.machine.RunSummary(counters.snapshot(), traps, barFaults, toMem, fromMem, maps, unmaps, faults,
                msi, intx, guestErrors);
    }

    /** The vfio-pci devices, in the order added. */
    public List<VfioPciDevice> devices() {
        return List.copyOf(devices);
    }

    public ScriptedCpu cpu() {
        return (ScriptedCpu) vcpu.cpu();
    }

    /** The PPC64 CPU of a machine made by {@link #createWithPpcCpu}. */
    public PpcSoftCpu ppcCpu() {
        if (!(vcpu.cpu() instanceof PpcSoftCpu c)) {
            throw new IllegalStateException("this pseries machine runs a " + vcpu.cpu().getClass().getSimpleName()
                    + ", not the PPC64 CPU");
        }
        return c;
    }

    public SoftVcpu vcpu() {
        return vcpu;
    }

    public SoftVm vm() {
        return vm;
    }

    public AddressSpace systemMemory() {
        return system;
    }

    public RamRegion ram() {
        return ram;
    }

    public SpaprPhb phb() {
        return phb;
    }

    public PaprHypercalls hypercalls() {
        return hcalls;
    }

    public Rtas rtas() {
        return rtas;
    }

    public SpaprVty vty() {
        return vty;
    }

    /** What power-off, system-reboot and ibm,os-term asked of the machine. */
    public PseriesPower power() {
        return power;
    }

    /**
     * The device tree of this machine as it stands (RTAS tokens, hypercall sets and devices as
     * registered now), for the guest's {@code bootargs} and {@code kernel} ([address, size]),
     * either of which may be null.
     */
    public org.jvmm.machine.fdt.FdtNode deviceTree(String bootargs, long[] kernel) {
        java.util.Map<org.jvmm.hw.pci.PciFunction, String> funcs = new java.util.LinkedHashMap<>();
        devices.stream().sorted(java.util.Comparator.comparingInt((VfioPciDevice d) -> d.devfn().value()).reversed())
                .forEach(d -> funcs.put(d, "vfio-pci"));
        return SpaprDeviceTree.build(new SpaprDeviceTree.Inputs(ram.size(), bootargs, kernel, rtas.tokens(),
                answeredHypercalls(), phb, funcs));
    }

    /**
     * The hypercalls a guest gets an answer to: the machine's table and those the XICS answers in
     * the accelerator (SoftXics.IN_BRIDGE_HCALLS), for ibm,hypertas-functions.
     */
    public java.util.Set<Long> answeredHypercalls() {
        java.util.Set<Long> all = new java.util.HashSet<>(hcalls.registered());
        all.addAll(org.jvmm.kvm.soft.xics.SoftXics.IN_BRIDGE_HCALLS);
        return java.util.Set.copyOf(all);
    }

    /**
     * Machine reset as system-reboot asks (QEMU's spapr_machine_reset, devices first): every PCI
     * function reset (BARs unassigned, COMMAND 0), the PHB's DMA windows back to the default one,
     * interrupts big-endian again, the power requests cleared. The caller reloads firmware and
     * sets the CPU's entry state.
     */
    public void reset() {
        for (VfioPciDevice d : devices) {
            d.reset();
        }
        phb.resetDma();
        setInterruptLittleEndian(false);
        power.clearReboot();
    }

    /** The XICS and its RTAS calls. */
    public PseriesInterrupts interrupts() {
        return interrupts;
    }

    /** Exits the VMM handled, by kind (the CPU going idle is counted by {@link #idleReturns()}). */
    public ExitCounters exitCounters() {
        return counters;
    }

    /** Counts one idle return; the vCPU (control) thread's alone, so a release store, no atomic add. */
    private void idled() {
        idle.setRelease(idle.getPlain() + 1);
    }

    /** Times {@link #runUntilIdle} returned because the CPU had nothing left to do (Halt). */
    public long idleReturns() {
        return idle.get();
    }

    /** The sPAPR container space, or null before the first vfio-pci device. */
    public VfioSpaprSpace vfio() {
        return vfio;
    }

    public HostPciPlatform platform() {
        return platform;
    }

    public boolean kvmTce() {
        return kvmTce;
    }

    @Override
    public void close() {
        if (closed) {
            throw new IllegalStateException("pseries machine closed twice");
        }
        closed = true;
        for (VfioPciDevice d : devices.reversed()) {
            phb.bus().unplug(d.devfn());
            d.close();
        }
        if (vfio != null) {
            vfio.close();
        }
        phb.close();
        system.removeListener(memslots);
        interrupts.close();
        vcpu.close();
        vm.close();
        kvm.close();
        memory.close();
    }
}
