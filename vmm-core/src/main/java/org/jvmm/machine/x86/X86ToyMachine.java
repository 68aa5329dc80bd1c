package org.jvmm.machine.x86;

import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jvmm.accel.kvm.GsiRouter;
import org.jvmm.accel.kvm.KvmMemoryListener;
import org.jvmm.hw.pci.PciDevfn;
import org.jvmm.hw.display.Frame;
import org.jvmm.hw.display.ScreenDump;
import org.jvmm.hw.vfio.VfioDisplay;
import org.jvmm.hw.vfio.VfioPciDevice;
import org.jvmm.hw.vfio.VfioType1Space;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.address.GuestAddress;
import org.jvmm.dispatch.ExitAction;
import org.jvmm.dispatch.ExitCounters;
import org.jvmm.dispatch.ExitDispatcher;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.kvm.GuestWriter;
import org.jvmm.kvm.VcpuExit;
import org.jvmm.kvm.elf.Elf64Image;
import org.jvmm.kvm.elf.ElfFormatException;
import org.jvmm.kvm.elf.ElfSegment;
import org.jvmm.host.sys.Syscalls;
import org.jvmm.kvm.linux.LinuxKvm;
import org.jvmm.kvm.x86.LongModeBoot;
import org.jvmm.kvm.x86.X86Vcpu;
import org.jvmm.kvm.x86.X86Vm;
import org.jvmm.machine.MachineMemory;
import org.jvmm.machine.RunSummary;
import org.jvmm.memory.ContainerRegion;
import org.jvmm.memory.MemoryRegion;
import org.jvmm.memory.RamRegion;
import org.jvmm.pci.host.HostPciFunction;

/**
 * The x86 toy machine on the Linux KVM backend: {@link X86ToyLayout}'s RAM, PCI bus and ports,
 * the in-kernel irqchip, one vCPU started in 64-bit long mode at an ELF image's entry, and a run
 * loop on the vCPU's own thread that hands every exit to {@link ExitDispatcher}. The guest ends
 * the run by writing its status to the exit port (0x501), by halting or shutting down, or the
 * caller's time limit kicks the vCPU out.
 *
 * <h2>Ownership and threads</h2>
 * The machine owns the KVM handles, its memory and every device it plugged; {@link #close()}
 * releases them in reverse order of creation. {@link #run} is called by one thread at a time; the
 * vCPU runs on a platform thread the machine starts for each run. Devices see accesses on that
 * thread.
 */
public final class X86ToyMachine implements AutoCloseable {
    /** Where the guest's stack starts (it grows down); below it sit the GDT and page tables. */
    public static final GuestAddress STACK_TOP = new GuestAddress(0x80000);

    private final MachineMemory memory;
    private final X86ToyLayout layout;
    private final LinuxKvm kvm;
    private final X86Vm vm;
    private final KvmMemoryListener memslots;
    private final GsiRouter gsiRouter;
    private VfioType1Space vfio;
    private final List<VfioPciDevice> vfioDevices = new ArrayList<>();
    /** Devices served by another process over vfio-user, with the listener that maps guest RAM for them. */
    private final Map<VfioPciDevice, org.jvmm.hw.vfio.VfioUserDmaListener> servedDevices = new LinkedHashMap<>();
    private final List<RamRegion> dimms = new ArrayList<>();
    private int dimmCount;
    /** The host function or the mdev UUID behind each device of {@link #vfioDevices}; its display, if any. */
    private final Map<VfioPciDevice, PciAddress> vfioHosts = new LinkedHashMap<>();
    private final Map<VfioPciDevice, String> vfioMdevs = new LinkedHashMap<>();
    private final Map<VfioPciDevice, VfioDisplay> displays = new LinkedHashMap<>();
    private final java.util.Map<String, org.jvmm.hw.vfio.VfioIommufdSpace> iommufds = new java.util.LinkedHashMap<>();
    private final X86Vcpu vcpu;
    private org.jvmm.hw.vtd.VtdIommu vtd;
    private final ExitCounters exits = new ExitCounters();
    private final List<AutoCloseable> devices = new ArrayList<>();
    private final AtomicReference<Integer> exitStatus = new AtomicReference<>();
    private volatile boolean timedOut;
    private volatile String stopRequest;
    private boolean started;
    private boolean closed;

    /** What a run ended with. */
    public record RunResult(Integer exitStatus, String stopReason) {
        /** True when the guest wrote {@code status} to the exit port. */
        public boolean exitedWith(int status) {
            return exitStatus != null && exitStatus == status;
        }
    }

    private X86ToyMachine(HostMemoryRegistry registry, long ramSize, OutputStream console, String kvmDevice) {
        memory = new MachineMemory(registry);
        try {
            layout = X86ToyLayout.build(memory, ramSize, console, status -> exitStatus.compareAndSet(null, status));
            kvm = LinuxKvm.open(Syscalls.linux(), kvmDevice);
            vm = (X86Vm) kvm.createVm(memory.registry());
            // QEMU's places for the two pages Intel VMX needs for real-mode emulation
            vm.setIdentityMapAddress(new GuestAddress(0xfeff_c000L));
            vm.setTssAddress(new GuestAddress(0xfffb_d000L));
            vm.createIrqchip();
            gsiRouter = new GsiRouter(vm);
            memslots = new KvmMemoryListener(vm);
            layout.memory().addListener(memslots);
            vcpu = vm.createVcpu(0);
        } catch (RuntimeException e) {
            closeQuietly();
            throw e;
        }
    }

    /**
     * Builds the machine with {@code ramSize} bytes of RAM.
     *
     * @throws org.jvmm.host.ErrnoException when KVM cannot be opened, naming why
     */
    public static X86ToyMachine create(long ramSize, OutputStream console) {
        return create(new HostMemoryRegistry(), ramSize, console);
    }

    /**
     * Builds the machine with its RAM in {@code registry}: the host process's memory, which a
     * host PCI platform given to {@link #addVfioPci} must share so that VFIO can map guest RAM.
     */
    public static X86ToyMachine create(HostMemoryRegistry registry, long ramSize, OutputStream console) {
        return create(registry, ramSize, console, LinuxKvm.DEVICE);
    }

    /** As {@link #create(HostMemoryRegistry, long, OutputStream)}, with KVM opened at {@code kvmDevice}. */
    public static X86ToyMachine create(HostMemoryRegistry registry, long ramSize, OutputStream console, String kvmDevice) {
        return new X86ToyMachine(registry, ramSize, Objects.requireNonNull(console, "console"), kvmDevice);
    }

    /**
     * Gives the guest the host function at {@code host} through VFIO, in PCI slot {@code slot} of
     * bus 0: the first call opens the machine's VFIO container on {@code platform} (guest RAM is
     * mapped for DMA from then on). INTx, if the function has a pin, goes to IOAPIC pin
     * 16 + (slot + pin - 1) mod 4, as PC firmware routes PCI interrupts.
     */
    public VfioPciDevice addVfioPci(HostPciPlatform platform, PciAddress host, int slot) {
        return addVfioPci(platform, host, slot, false);
    }

    /**
     * As {@link #addVfioPci(HostPciPlatform, PciAddress, int)}; {@code noMmap} traps every BAR access.
     *
     * @throws IllegalArgumentException when {@code host} is given to the guest already
     */
    public VfioPciDevice addVfioPci(HostPciPlatform platform, PciAddress host, int slot, boolean noMmap) {
        if (vfioHosts.containsValue(host)) {
            // QEMU refuses a second vfio-pci for one host function at realize (hw/vfio): "device is already attached"
            throw new IllegalArgumentException("vfio " + host + ": device is already attached");
        }
        if (vfio == null) {
            vfio = own(new VfioType1Space(platform, layout.memory()));
        } else if (vfio.platform() != platform) {
            throw new IllegalArgumentException("vfio-pci " + host + ": the machine already uses another host platform");
        }
        return plugVfioPci(vfio, platform, host, slot, noMmap);
    }

    /**
     * As {@link #addVfioPci(HostPciPlatform, PciAddress, int, boolean)} over the iommufd backend
     * {@code iommufdId} ({@code -object iommufd,id=ID}, created on first use) instead of a VFIO
     * container: the device's cdev is bound to it and guest RAM is mapped into its IOAS.
     */
    public VfioPciDevice addVfioPci(HostPciPlatform platform, PciAddress host, int slot, boolean noMmap, String iommufdId) {
        if (iommufdId == null) {
            return addVfioPci(platform, host, slot, noMmap);
        }
        if (vfioHosts.containsValue(host)) {
            throw new IllegalArgumentException("vfio " + host + ": device is already attached");
        }
        org.jvmm.hw.vfio.VfioIommufdSpace space = iommufds.get(iommufdId);
        if (space == null) {
            space = own(new org.jvmm.hw.vfio.VfioIommufdSpace(iommufdId, platform, layout.memory()));
            iommufds.put(iommufdId, space);
        } else if (space.platform() != platform) {
            throw new IllegalArgumentException("vfio-pci " + host + ": iommufd " + iommufdId + " belongs to another host platform");
        }
        return plugVfioPci(space, platform, host, slot, noMmap);
    }

    /** The virtual VT-d ({@link VtdSetup}), or null. */
    public org.jvmm.hw.vtd.VtdIommu vtd() {
        return vtd;
    }

    void vtd(org.jvmm.hw.vtd.VtdIommu iommu) {
        this.vtd = iommu;
    }

    /** The iommufd backends ({@code -object iommufd}) by id, in the order created. */
    public java.util.Map<String, org.jvmm.hw.vfio.VfioIommufdSpace> iommufds() {
        return java.util.Collections.unmodifiableMap(iommufds);
    }

    private VfioPciDevice plugVfioPci(org.jvmm.hw.vfio.VfioSpace vfio, HostPciPlatform platform, PciAddress host, int slot,
            boolean noMmap) {
        int pin = platform.function("vfio-pci realize", host).model().interruptPin();
        int gsi = intxGsi(slot, pin);
        VfioPciDevice d = VfioPciDevice.realize("vfio-" + host, vfio, host, vm, gsiRouter, gsi, noMmap);
        plugVfioDevice(d, slot);
        vfioHosts.put(d, host);
        return own(d);
    }

    /**
     * Gives the guest the mdev named {@code uuid} (QEMU's {@code -device vfio-pci,sysfsdev=}), in
     * PCI slot {@code slot}: its own emulated group {@code groupNumber} joins the machine's
     * container, the device is opened by its UUID, and with {@code display} the display is probed
     * (QEMU's display=auto; display=on when {@code displayRequired}: it must have one); a display
     * found is captured by {@link #screendump}. INTx is routed as for {@link #addVfioPci}.
     *
     * @throws IllegalArgumentException when {@code uuid} is given to the guest already, or
     *     {@code display} is on and the device has none (QEMU's message)
     */
    public VfioPciDevice addVfioMdev(HostPciPlatform platform, String uuid, int groupNumber, int slot, boolean display,
            boolean displayRequired) {
        String origin = "vfio " + uuid;
        if (vfioMdevs.containsValue(uuid)) {
            throw new IllegalArgumentException(origin + ": device is already attached");
        }
        if (vfio == null) {
            vfio = own(new VfioType1Space(platform, layout.memory()));
        } else if (vfio.platform() != platform) {
            throw new IllegalArgumentException(origin + ": the machine already uses another host platform");
        }
        org.jvmm.vfio.VfioDevice dev = vfio.openDevice(groupNumber, uuid, vm); // the group joins KVM-VFIO first
        VfioDisplay shown;
        try {
            shown = display ? VfioDisplay.probe(dev, displayRequired, "-device vfio-pci,sysfsdev=/sys/bus/mdev/devices/" + uuid) : null;
        } catch (RuntimeException e) {
            dev.close();
            throw e;
        }
        int pin = readConfigByte(dev, 0x3d);
        int gsi = intxGsi(slot, pin);
        VfioPciDevice d = VfioPciDevice.realize("vfio-" + uuid, dev, vm, gsiRouter, gsi, false);
        plugVfioDevice(d, slot);
        vfioMdevs.put(d, uuid);
        own(d);
        if (shown != null) {
            displays.put(d, own(shown)); // closed before the device
        }
        return d;
    }

    /** The GSI INTx pin {@code pin} (1-4) of the device in {@code slot} is wired to: 16 + (slot + pin - 1) mod 4; -1 for no pin. */
    private static int intxGsi(int slot, int pin) {
        return pin == 0 ? -1 : 16 + ((slot + pin - 1) & 3);
    }

    /** Plugs {@code d} into {@code slot} of the PCI bus and counts it among the vfio-pci devices; closes it if the plug fails. */
    private void plugVfioDevice(VfioPciDevice d, int slot) {
        try {
            layout.pciBus().plug(new PciDevfn(slot, 0), d);
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
        vfioDevices.add(d);
    }

    /**
     * Gives the guest a device opened already through any VFIO device file (a device served over
     * vfio-user), in PCI slot {@code slot}, INTx routed as for {@link #addVfioPci}; the machine
     * owns {@code dev} and closes it, also when this fails. Removed with {@link #removeVfioPci}.
     */
    public VfioPciDevice addVfioDeviceFile(String name, org.jvmm.vfio.VfioDeviceFile dev, int slot, boolean noMmap) {
        int pin;
        try {
            pin = readConfigByte(dev, 0x3d);
        } catch (RuntimeException e) {
            dev.close();
            throw e;
        }
        int gsi = intxGsi(slot, pin);
        VfioPciDevice d = VfioPciDevice.realize(name, dev, vm, gsiRouter, gsi, noMmap);
        plugVfioDevice(d, slot);
        return own(d);
    }

    /**
     * Counts a device served by another process in the run summary: its DMA_MAP/UNMAP calls and the
     * DMA its server did by messages, which this process sees; the rest its server counts.
     */
    void countServedDevice(VfioPciDevice d, org.jvmm.hw.vfio.VfioUserDmaListener dma) {
        servedDevices.put(d, dma);
    }

    private static int readConfigByte(org.jvmm.vfio.VfioDeviceFile dev, int offset) {
        java.lang.foreign.MemorySegment b = java.lang.foreign.MemorySegment.ofArray(new byte[1]);
        dev.read(dev.getRegionInfo(org.jvmm.vfio.uapi.VfioUapi.VFIO_PCI_CONFIG_REGION_INDEX).offset() + offset, b);
        return b.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0) & 0xff;
    }

    /** The displays of the devices given with display=on, in plug order. */
    public List<VfioDisplay> displays() {
        return List.copyOf(displays.values());
    }

    /**
     * QEMU's {@code screendump}: captures the first display now and writes it to {@code file}.
     *
     * @throws IllegalStateException when the machine has no display or the guest shows nothing yet
     */
    public void screendump(java.nio.file.Path file, ScreenDump.Format format) throws java.io.IOException {
        if (displays.isEmpty()) {
            throw new IllegalStateException("screendump " + file + ": the machine has no display (give a device display=on)");
        }
        Frame f = displays.values().iterator().next().capture();
        if (f == null) {
            throw new IllegalStateException("screendump " + file + ": the guest shows no picture yet");
        }
        ScreenDump.write(f, file, format);
    }

    /**
     * Hot-unplugs a device from {@link #addVfioPci} or {@link #addVfioMdev} (its display goes with it): its BARs leave the memory map, its interrupts
     * and the VFIO device are released; the container stays for the other devices (and the next
     * hot-plug). Called by one thread at a time, with the vCPU held outside the guest.
     *
     * @throws IllegalArgumentException when {@code d} is no device of this machine; nothing changes
     */
    public void removeVfioPci(VfioPciDevice d) {
        int i = vfioDevices.indexOf(d);
        if (i < 0) {
            throw new IllegalArgumentException("vfio-pci unplug " + d.name() + ": not a device of this machine");
        }
        layout.pciBus().unplug(d.devfn());
        vfioDevices.remove(i);
        vfioHosts.remove(d);
        vfioMdevs.remove(d);
        servedDevices.remove(d);
        VfioDisplay shown = displays.remove(d);
        if (shown != null) {
            devices.remove(shown);
            shown.close(); // before the device, as at machine close
        }
        devices.remove(d);
        d.close();
    }

    // ---------------------------------------------------------------- memory hotplug
    // addRam, moveRam and removeRam are called by one thread at a time: the machine's control
    // thread, or the vCPU thread from a checkpoint handler while the guest waits.

    /**
     * Hot-adds {@code size} bytes of zeroed RAM (a DIMM) at guest-physical {@code at}, in one
     * transaction of the memory map: KVM gets a memslot and the VFIO listener maps it for DMA, as
     * for boot RAM. The range must be 4 KiB aligned, lie in the physical address space and overlap
     * nothing placed already (RAM, the PCI holes, the 32-bit hole up to 4 GiB, another DIMM).
     *
     * @return the DIMM's RAM, for {@link #moveRam} and {@link #removeRam}
     * @throws IllegalArgumentException naming the operation, the range and what is wrong; the
     *     machine is as it was
     */
    public RamRegion addRam(GuestAddress at, long size) {
        String op = "x86-toy add-ram";
        checkRange(op, at, size, null);
        RamRegion dimm = memory.allocateRam("dimm" + dimmCount, size);
        try {
            layout.memory().transaction(() -> {
                checkRange(op, at, size, null);
                system().addSubregion(at.value(), dimm);
            });
        } catch (RuntimeException e) {
            if (dimm.container() != null) {
                layout.memory().transaction(() -> system().removeSubregion(dimm));
            }
            memory.release(dimm);
            throw e;
        }
        dimmCount++;
        dimms.add(dimm);
        return dimm;
    }

    /**
     * Moves a DIMM from {@link #addRam} to guest-physical {@code to}, its contents kept, in one
     * transaction: the VFIO listener unmaps the old range, then maps the new one.
     *
     * @throws IllegalArgumentException naming the operation, the DIMM and the range, when it is no
     *     DIMM of this machine or the new range is not one {@link #addRam} would take; the
     *     machine is as it was
     */
    public void moveRam(RamRegion dimm, GuestAddress to) {
        String op = "x86-toy move-ram " + dimm.name();
        checkDimm(op, dimm);
        layout.memory().transaction(() -> {
            checkRange(op, to, dimm.size(), dimm);
            dimm.setOffset(to.value());
        });
    }

    /**
     * Hot-removes a DIMM from {@link #addRam} in one transaction (the VFIO listener unmaps it,
     * KVM drops the memslot) and releases its memory.
     *
     * @throws IllegalArgumentException when it is no DIMM of this machine; the machine is as it was
     */
    public void removeRam(RamRegion dimm) {
        checkDimm("x86-toy remove-ram " + dimm.name(), dimm);
        layout.memory().transaction(() -> system().removeSubregion(dimm));
        dimms.remove(dimm);
        memory.release(dimm);
    }

    /** The DIMMs hot-added and not removed, in the order they were added. */
    public List<RamRegion> hotAddedRam() {
        return List.copyOf(dimms);
    }

    private ContainerRegion system() {
        return (ContainerRegion) layout.memory().root();
    }

    private void checkDimm(String op, RamRegion dimm) {
        if (!dimms.contains(dimm)) {
            throw new IllegalArgumentException(op + ": not RAM hot-added to this machine (its DIMMs: "
                    + dimms.stream().map(RamRegion::name).toList() + ")");
        }
    }

    /** Refuses a DIMM range that is unaligned, leaves the address space or overlaps a placed region other than {@code self}. */
    private void checkRange(String op, GuestAddress at, long size, RamRegion self) {
        long start = at.value();
        long end = start + size; // exclusive; wraps only when the range leaves the space, checked below
        if (size == 0 || (start & 0xfff) != 0 || (size & 0xfff) != 0) {
            throw new IllegalArgumentException(op + " " + range(start, size) + ": start and size must be 4 KiB aligned, size above zero");
        }
        if (Long.compareUnsigned(size, X86ToyLayout.PHYS_SPACE) > 0
                || Long.compareUnsigned(start, X86ToyLayout.PHYS_SPACE - size) > 0) {
            throw new IllegalArgumentException(op + " " + range(start, size) + ": beyond the physical address space (0x"
                    + Long.toHexString(X86ToyLayout.PHYS_SPACE) + ")");
        }
        if (Long.compareUnsigned(start, X86ToyLayout.FOUR_GIB) < 0
                && Long.compareUnsigned(end, X86ToyLayout.PCI_HOLE_START) > 0) {
            throw new IllegalArgumentException(op + " " + range(start, size) + ": overlaps the 32-bit hole [0x"
                    + Long.toHexString(X86ToyLayout.PCI_HOLE_START) + ", 0x" + Long.toHexString(X86ToyLayout.FOUR_GIB) + ")");
        }
        for (MemoryRegion r : system().subregions()) {
            long rs = r.offset();
            long re = rs + r.size();
            if (r != self && Long.compareUnsigned(start, re) < 0 && Long.compareUnsigned(rs, end) < 0) {
                throw new IllegalArgumentException(op + " " + range(start, size) + ": overlaps " + r.name() + " [0x" + Long.toHexString(rs)
                        + ", 0x" + Long.toHexString(re) + ")");
            }
        }
    }

    private static String range(long start, long size) {
        return "[0x" + Long.toHexString(start) + ", +0x" + Long.toHexString(size) + ")";
    }

    /** The vfio-pci devices given to the guest, in the order they were plugged. */
    public List<VfioPciDevice> vfioDevices() {
        return List.copyOf(vfioDevices);
    }

    /** The machine's VFIO container and listener, or null before the first vfio-pci device. */
    public VfioType1Space vfio() {
        return vfio;
    }

    public GsiRouter gsiRouter() {
        return gsiRouter;
    }

    /**
     * Loads an x86-64 ELF image and points the vCPU at its entry in long mode, {@code argument} in RDI.
     *
     * @throws org.jvmm.kvm.elf.ElfFormatException for an image {@link #checkImage} refuses; nothing is written then
     */
    public GuestAddress boot(byte[] elf, long argument) {
        LongModeBoot boot = LongModeBoot.standard();
        Elf64Image image = checkImage(elf, layout.ram().size());
        GuestWriter ram = GuestWriter.of(new GuestAddress(0),
                layout.ram().segment().asSlice(0, Math.min(layout.ram().size(), X86ToyLayout.RAM_BELOW_4G_MAX)));
        GuestAddress entry = image.load(ram, boot.reservedRanges());
        boot.boot(vcpu, ram, kvm.supportedCpuid(), entry, STACK_TOP, argument);
        return entry;
    }

    /**
     * Parses {@code elf} and checks that {@link #boot} can load it into a machine with
     * {@code ramSize} bytes of RAM, without a machine (and without KVM): an x86-64 executable
     * whose segments lie in RAM below 4 GiB and clear of what the long-mode boot writes
     * ({@link LongModeBoot#reservedRanges()}: the GDT, the page tables).
     *
     * @throws org.jvmm.kvm.elf.ElfFormatException naming the field or the segment and the range
     */
    public static Elf64Image checkImage(byte[] elf, long ramSize) {
        Elf64Image image = Elf64Image.parse(elf, Elf64Image.EM_X86_64);
        image.checkClearOf(LongModeBoot.standard().reservedRanges());
        long ramBelow4g = Math.min(ramSize, X86ToyLayout.RAM_BELOW_4G_MAX);
        for (ElfSegment s : image.segments()) {
            long start = s.physicalAddress().value();
            if (Long.compareUnsigned(start, ramBelow4g) > 0 || Long.compareUnsigned(s.memorySize(), ramBelow4g - start) > 0) {
                throw new ElfFormatException("ELF: " + s.describe() + " lies outside guest RAM [0x0, 0x"
                        + Long.toHexString(ramBelow4g - 1) + "]");
            }
        }
        return image;
    }

    /**
     * Runs the vCPU on its own thread until the guest stops or {@code limit} passes (then the vCPU
     * is kicked out and the result says so). Once per machine: KVM binds a vCPU to the first thread
     * that runs it.
     *
     * @param onExit sees every exit before it is dispatched (for tests and tracing); may be null
     */
    public RunResult run(Duration limit, Consumer<VcpuExit> onExit) throws InterruptedException {
        if (started) {
            throw new IllegalStateException("x86-toy run: this machine has run already; the vCPU belongs to the thread"
                    + " that first ran it (use runHere on that thread, or build a new machine)");
        }
        started = true;
        AtomicReference<RunResult> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        ExitDispatcher.Peripherals peripherals = new ExitDispatcher.Peripherals(layout.memory(), layout.io());
        Thread t = Thread.ofPlatform().name("vcpu0").unstarted(() -> {
            try {
                result.set(loop(peripherals, onExit, Long.MAX_VALUE));
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.start();
        t.join(limit.toMillis());
        if (t.isAlive()) {
            timedOut = true;
            vcpu.kick();
            t.join();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("vcpu0 failed: " + failure.get().getMessage(), failure.get());
        }
        return result.get();
    }


    /**
     * Runs at most {@code maxExits} exits on the calling thread, which becomes the vCPU's thread
     * (KVM binds a vCPU to the first thread that runs it): for benchmarks that time the exit path
     * themselves. Returns null when the budget ran out before the guest stopped.
     */
    public RunResult runHere(long maxExits) {
        started = true;
        return loop(new ExitDispatcher.Peripherals(layout.memory(), layout.io()), null, maxExits);
    }

    private RunResult loop(ExitDispatcher.Peripherals peripherals, Consumer<VcpuExit> onExit, long maxExits) {
        for (long n = 0; n < maxExits; n++) {
            VcpuExit exit = vcpu.run();
            if (onExit != null) {
                onExit.accept(exit);
            }
            ExitAction action = ExitDispatcher.handle(peripherals, exit, exits);
            if (exitStatus.get() != null) {
                return new RunResult(exitStatus.get(), "the guest wrote its status to the exit port");
            }
            if (action instanceof ExitAction.Stop stop) {
                return new RunResult(null, stop.reason());
            }
            if (timedOut) {
                return new RunResult(null, "time limit reached");
            }
            if (stopRequest != null) {
                return new RunResult(null, stopRequest);
            }
        }
        return null;
    }

    /** Ends a {@link #run} from another thread (the monitor's quit): the vCPU is kicked out, the result gives {@code reason}. */
    public void requestStop(String reason) {
        stopRequest = reason;
        vcpu.kick();
    }

    /** What the VMM saw so far: exits, traps, BAR faults, DMA, IOMMU work and interrupts. */
    public RunSummary summary() {
        long traps = 0;
        long barFaults = 0;
        long toMem = 0;
        long fromMem = 0;
        long msi = 0;
        long intx = 0;
        long guestErrors = 0;
        for (VfioPciDevice d : vfioDevices) {
            traps += d.trappedReads() + d.trappedWrites();
            barFaults += d.barFaults();
        }
        long maps = 0;
        long unmaps = 0;
        long faults = 0;
        HostPciPlatform hostPlatform = vfio != null ? vfio.platform()
                : iommufds.isEmpty() ? null : iommufds.values().iterator().next().platform();
        for (org.jvmm.hw.vfio.VfioIommufdSpace s : iommufds.values()) {
            if (s.listener() != null) {
                maps += s.listener().maps();
                unmaps += s.listener().unmaps();
            }
        }
        if (hostPlatform != null) {
            for (PciAddress a : vfioHosts.values()) {
                HostPciFunction f = hostPlatform.function("summary", a);
                toMem += f.dmaPort().bytesToMemory();
                fromMem += f.dmaPort().bytesFromMemory();
                msi += f.msiMessages();
                intx += f.intxAssertions();
                guestErrors += f.guestErrorCount();
            }
            faults = hostPlatform.faults().faults().size();
            if (vfio != null && vfio.listener() != null) {
                maps += vfio.listener().maps();
                unmaps += vfio.listener().unmaps();
            }
        }
        int served = 0;
        for (Map.Entry<VfioPciDevice, org.jvmm.hw.vfio.VfioUserDmaListener> e : servedDevices.entrySet()) {
            org.jvmm.hw.vfio.VfioUserDmaListener l = e.getValue();
            maps += l.maps();
            unmaps += l.unmaps();
            toMem += l.bytesToMemory();
            fromMem += l.bytesFromMemory();
            served++;
        }
        return new RunSummary(exits.snapshot(), traps, barFaults, toMem, fromMem, maps, unmaps, faults, msi, intx, guestErrors,
                served);
    }

    public X86ToyLayout layout() {
        return layout;
    }

    public MachineMemory memory() {
        return memory;
    }

    public X86Vm vm() {
        return vm;
    }

    public ExitCounters exits() {
        return exits;
    }

    /** The vCPU, for callers that drive it themselves (benchmarks timing a bare exit). */
    public X86Vcpu vcpu() {
        return vcpu;
    }

    public KvmMemoryListener memslots() {
        return memslots;
    }

    /** Hands a device to the machine: it is closed with the machine, before the memory. */
    public <T extends AutoCloseable> T own(T device) {
        devices.add(device);
        return device;
    }

    @Override
    public void close() {
        if (closed) {
            throw new IllegalStateException("x86-toy machine closed twice");
        }
        closed = true;
        closeQuietly();
    }

    private void closeQuietly() {
        RuntimeException first = null;
        for (AutoCloseable c : devices.reversed()) {
            first = closeOne(c, first);
        }
        if (vcpu != null) {
            first = closeOne(vcpu, first);
        }
        first = closeOne(memory, first);
        if (vm != null) {
            first = closeOne(vm, first);
        }
        if (kvm != null) {
            first = closeOne(kvm, first);
        }
        if (first != null) {
            throw first;
        }
    }

    private static RuntimeException closeOne(AutoCloseable c, RuntimeException first) {
        try {
            c.close();
        } catch (Exception e) {
            RuntimeException r = e instanceof RuntimeException re ? re : new IllegalStateException(e);
            if (first == null) {
                return r;
            }
            first.addSuppressed(r);
        }
        return first;
    }
}
