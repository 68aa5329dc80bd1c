package org.jvmm.fuzz;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.jvmm.accel.kvm.GsiRouter;
import org.jvmm.address.GuestAddress;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.devices.ivshmem.IvshmemPlainDevice;
import org.jvmm.devices.msixdoorbell.MsixDoorbellDevice;
import org.jvmm.dispatch.ExitCounters;
import org.jvmm.dispatch.ExitDispatcher;
import org.jvmm.hw.pci.PciDevfn;
import org.jvmm.hw.pci.PciHostBridge;
import org.jvmm.hw.vfio.VfioPciDevice;
import org.jvmm.hw.vfio.VfioType1Space;
import org.jvmm.host.kernel.HostKernel;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.kvm.VcpuExit;
import org.jvmm.kvm.soft.SoftKvm;
import org.jvmm.kvm.soft.SoftVm;
import org.jvmm.machine.MachineMemory;
import org.jvmm.machine.x86.X86ToyLayout;
import org.jvmm.host.sys.ProcessFds;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.host.memory.LockedMemoryAccount;

/**
 * Fuzzes the x86 machine's exit handling without KVM: the x86-toy layout (RAM, PCI hole, serial,
 * debug-exit and checkpoint ports, the 0xcf8/0xcfc configuration mechanism) with three host
 * functions given through vfio-pci on the soft VM (edu in slot 3, a 1 MiB ivshmem-plain in slot 4,
 * trapped or not, the MSI-X doorbell in slot 5), BARs placed by a firmware pass through config
 * cycles, and then synthetic MMIO and port I/O exits fed to {@link ExitDispatcher#handle} as
 * KVM would report them: every size 1-8 (and bulk lengths) at every offset of every BAR
 * (edu registers and DMA, ivshmem, the MSI-X table and PBA), around and outside them, string
 * I/O, and PCI configuration reads and writes of random offset, size and value to every function
 * (capabilities, MSI and MSI-X control, BARs, command) through the ports.
 *
 * <p>An escape is any Throwable out of the exit handler. A case file holds one exit per line:
 * {@code mmio ADDR LEN r|w VALUE}, {@code bar SLOT BAR OFFSET LEN r|w VALUE} (relative to where
 * the firmware put the BAR), {@code pio PORT SIZE COUNT in|out VALUE}, {@code cfg SLOT FN OFFSET
 * SIZE r|w VALUE}, {@code cap SLOT CAPID OFFSET SIZE r|w VALUE} (relative to a capability),
 * and a first line {@code machine ivshmem-mmap=on|off}.
 */
final class X86ExitFuzzer implements Fuzzer<List<String>> {
    static final long RAM = 16L << 20;
    private static final int[] SLOTS = {0, 3, 4, 5, 6};
    private static final int[] SIZES = {1, 2, 4, 8};
    private static final int[] CAPS = {0x05, 0x11, 0x10, 0x01};

    private long exits;
    private long configCycles;

    @Override
    public String name() {
        return "guest-x86";
    }

    // ---------------------------------------------------------------- generation

    @Override
    public List<String> generate(SplittableRandom r) {
        List<String> out = new ArrayList<>();
        out.add("machine ivshmem-mmap=" + (r.nextBoolean() ? "on" : "off"));
        int n = 20 + r.nextInt(120);
        for (int i = 0; i < n; i++) {
            out.add(exit(r));
        }
        return out;
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    private static int len(SplittableRandom r) {
        return r.nextInt(10) == 0 ? new int[] {3, 5, 6, 7, 16, 0}[r.nextInt(6)] : SIZES[r.nextInt(4)];
    }

    private static String rw(SplittableRandom r) {
        return r.nextBoolean() ? "r 0x0" : "w " + hex(value(r));
    }

    private static long value(SplittableRandom r) {
        return switch (r.nextInt(6)) {
            case 0 -> r.nextInt(256);
            case 1 -> new long[] {0, -1, 0xffffffffL, 0x80000000L, 1, 0xfee00000L, 0x7}[r.nextInt(7)];
            case 2 -> r.nextLong(RAM);
            default -> r.nextLong();
        };
    }

    private static String exit(SplittableRandom r) {
        int k = r.nextInt(100);
        if (k < 30) {
            int slot = SLOTS[1 + r.nextInt(3)];
            int bar = r.nextInt(4) == 0 ? r.nextInt(6) : (slot == 4 ? 2 * r.nextInt(2) : 0);
            long off = switch (r.nextInt(5)) {
                case 0 -> r.nextInt(0x100);
                case 1 -> MsixDoorbellDevice.TABLE_OFFSET + r.nextInt(64);
                case 2 -> MsixDoorbellDevice.PBA_OFFSET + r.nextInt(16);
                case 3 -> new long[] {EduDevice.REG_DMA_SRC, EduDevice.REG_DMA_DST, EduDevice.REG_DMA_COUNT, EduDevice.REG_DMA_CMD,
                    EduDevice.REG_FACTORIAL, EduDevice.REG_STATUS, EduDevice.REG_IRQ_RAISE, EduDevice.REG_IRQ_ACK}[r.nextInt(8)];
                default -> r.nextLong(1 << 21) - (r.nextInt(4) == 0 ? 1 << 20 : 0);
            };
            String v = rw(r);
            if (off >= EduDevice.REG_DMA_SRC && off <= EduDevice.REG_DMA_CMD && v.startsWith("w") && r.nextBoolean()) {
                long dv = switch ((int) off) {
                    case EduDevice.REG_DMA_COUNT -> r.nextInt(4) == 0 ? PseriesValues.eduDmaValue(r) : r.nextInt(4097);
                    case EduDevice.REG_DMA_CMD -> r.nextInt(8);
                    default -> r.nextBoolean() ? EduDevice.DMA_BUFFER_START + r.nextInt(4200) : r.nextLong(RAM + 8192);
                };
                v = "w " + hex(dv);
            }
            return "bar " + slot + " " + bar + " " + hex(off) + " " + len(r) + " " + v;
        }
        if (k < 45) {
            long a = switch (r.nextInt(6)) {
                case 0 -> r.nextLong(RAM + 4096);
                case 1 -> X86ToyLayout.PCI_HOLE_START + r.nextLong(1 << 26);
                case 2 -> X86ToyLayout.PCI_HOLE_END - 8 + r.nextInt(16);
                case 3 -> 0xfee0_0000L + r.nextInt(0x1000); // where MSIs go
                case 4 -> X86ToyLayout.PHYS_SPACE - r.nextInt(16);
                default -> r.nextLong();
            };
            return "mmio " + hex(a) + " " + len(r) + " " + rw(r);
        }
        if (k < 60) {
            int port = switch (r.nextInt(5)) {
                case 0 -> X86ToyLayout.SERIAL_PORT + r.nextInt(8);
                case 1 -> PciHostBridge.CONFIG_ADDRESS_PORT + r.nextInt(8);
                case 2 -> 0xc000 + r.nextInt(0x200); // where the firmware puts I/O BARs
                case 3 -> r.nextInt(0x100);
                default -> r.nextInt(0x10000);
            };
            int size = r.nextInt(10) == 0 ? 8 : SIZES[r.nextInt(3)];
            int count = r.nextInt(8) == 0 ? 1 + r.nextInt(64) : 1;
            return "pio " + hex(port) + " " + size + " " + count + " " + (r.nextBoolean() ? "in 0x0" : "out " + hex(value(r)));
        }
        if (k < 85) {
            int slot = SLOTS[r.nextInt(SLOTS.length)];
            int offset = switch (r.nextInt(4)) {
                case 0 -> 0x10 + 4 * r.nextInt(6); // BARs
                case 1 -> r.nextInt(0x40);
                case 2 -> r.nextInt(0x100);
                default -> r.nextInt(0x1000); // extended space (not reachable through 0xcf8)
            };
            return "cfg " + slot + " " + (r.nextInt(8) == 0 ? r.nextInt(8) : 0) + " " + hex(offset) + " " + SIZES[r.nextInt(3)] + " "
                    + rw(r);
        }
        int slot = SLOTS[1 + r.nextInt(3)];
        return "cap " + slot + " " + hex(CAPS[r.nextInt(CAPS.length)]) + " " + hex(r.nextInt(16)) + " " + SIZES[r.nextInt(3)] + " "
                + (r.nextInt(3) == 0 ? "w " + hex(r.nextBoolean() ? 0x8000 : 0xc000) : rw(r));
    }

    // ---------------------------------------------------------------- execution

    /** A machine built for one case: the layout, the soft VM and the three vfio-pci functions. */
    private static final class Machine implements AutoCloseable {
        final HostMemoryRegistry registry = new HostMemoryRegistry();
        final MachineMemory memory = new MachineMemory(registry);
        final X86ToyLayout layout = X86ToyLayout.build(memory, RAM, new ByteArrayOutputStream(), s -> { });
        final SoftKvm kvm = new SoftKvm();
        final SoftVm vm = kvm.createVm(registry);
        final GsiRouter router = new GsiRouter(vm);
        final VfioType1Space vfio;
        final List<VfioPciDevice> devices = new ArrayList<>();
        final ExitDispatcher.Peripherals p = new ExitDispatcher.Peripherals(layout.memory(), layout.io());
        final ExitCounters counters = new ExitCounters();
        final long[][] bars = new long[8][6];
        final HostMapping ivshmemMemory = registry.allocate("ivshmem", 1L << 20);

        Machine(boolean ivshmemMmap) {
            PciAddress edu = PciAddress.parse("0000:00:03.0");
            PciAddress ivshmem = PciAddress.parse("0000:00:04.0");
            PciAddress msix = PciAddress.parse("0000:00:05.0");
            HostPciPlatform platform = HostKernel.builder().memory(registry).memlock(new LockedMemoryAccount(1L << 30, false))
                    .endpoint(edu.toString(), new EduDevice(), HostPciPlatform.VFIO_PCI, true)
                    .endpoint(ivshmem.toString(), new IvshmemPlainDevice(ivshmemMemory),
                            HostPciPlatform.VFIO_PCI, true)
                    .endpoint(msix.toString(), new MsixDoorbellDevice(), HostPciPlatform.VFIO_PCI, true)
                    .build();
            vfio = new VfioType1Space(platform, layout.memory());
            plug(edu, 3, false);
            plug(ivshmem, 4, !ivshmemMmap);
            plug(msix, 5, false);
        }

        private void plug(PciAddress host, int slot, boolean noMmap) {
            VfioPciDevice d = VfioPciDevice.realize("vfio-" + host, vfio, host, vm, router, 16 + slot, noMmap);
            devices.add(d);
            layout.pciBus().plug(new PciDevfn(slot, 0), d);
        }

        @Override
        public void close() {
            for (VfioPciDevice d : devices.reversed()) {
                layout.pciBus().unplug(d.devfn());
                d.close();
            }
            vfio.close();
            vm.close();
            kvm.close();
            memory.close();
            ivshmemMemory.close();
        }
    }

    @Override
    public void execute(List<String> c) throws Exception {
        Map<Integer, String> fds = ProcessFds.snapshot();
        boolean mmap = c.isEmpty() || !c.get(0).contains("ivshmem-mmap=off");
        try (Machine m = new Machine(mmap)) {
            firmware(m);
            for (String line : c) {
                if (line.isBlank() || line.startsWith("#") || line.startsWith("machine ")) {
                    continue;
                }
                try {
                    act(m, line.strip().split("\\s+"));
                } catch (Throwable t) {
                    throw new GuestActionEscaped(line, t);
                }
            }
            exits += m.counters.total();
        }
        FdAccounting.check(fds, "the machine");
    }

    /** Places every BAR of slots 3-5 (sizing through config cycles, as PC firmware does) and enables decode. */
    private void firmware(Machine m) {
        long mem = X86ToyLayout.PCI_HOLE_START;
        long io = 0xc000;
        for (int slot : new int[] {3, 4, 5}) {
            for (int bar = 0; bar < 6; bar++) {
                int reg = 0x10 + 4 * bar;
                cfg(m, slot, 0, reg, 4, true, 0xffffffffL);
                long mask = cfg(m, slot, 0, reg, 4, false, 0);
                if (mask == 0) {
                    continue;
                }
                if ((mask & 1) != 0) {
                    long size = (~(mask & ~3L) + 1) & 0xffff;
                    io = (io + size - 1) & -size;
                    cfg(m, slot, 0, reg, 4, true, io);
                    m.bars[slot][bar] = io;
                    io += size;
                    continue;
                }
                boolean is64 = (mask & 6) == 4;
                long size = (~(mask & ~0xfL) + 1) & 0xffffffffL;
                mem = (mem + size - 1) & -size;
                cfg(m, slot, 0, reg, 4, true, mem);
                if (is64) {
                    cfg(m, slot, 0, reg + 4, 4, true, 0);
                }
                m.bars[slot][bar] = mem;
                mem += size;
                if (is64) {
                    bar++;
                }
            }
            cfg(m, slot, 0, 0x04, 2, true, 0x7); // I/O, memory, bus master
        }
    }

    private void act(Machine m, String[] w) {
        switch (w[0]) {
            case "mmio" -> mmio(m, num(w[1]), (int) num(w[2]), w[3].equals("w"), num(w[4]));
            case "bar" -> mmio(m, m.bars[(int) num(w[1]) & 7][(int) num(w[2]) % 6] + num(w[3]), (int) num(w[4]), w[5].equals("w"),
                    num(w[6]));
            case "pio" -> {
                int size = (int) num(w[2]);
                int count = (int) num(w[3]);
                MemorySegment data = MemorySegment.ofArray(new byte[size * count]);
                for (int i = 0; i < count; i++) {
                    for (int b = 0; b < size; b++) {
                        data.set(ValueLayout.JAVA_BYTE, (long) i * size + b, (byte) (num(w[5]) >>> (8 * (b % 8)) ^ i));
                    }
                }
                dispatch(m, new VcpuExit.Io(w[4].equals("in") ? VcpuExit.Direction.IN : VcpuExit.Direction.OUT, (int) num(w[1]), size,
                        count, data));
            }
            case "cfg" -> cfg(m, (int) num(w[1]), (int) num(w[2]), (int) num(w[3]), (int) num(w[4]), w[5].equals("w"), num(w[6]));
            case "cap" -> {
                int slot = (int) num(w[1]);
                int cap = findCap(m, slot, (int) num(w[2]));
                if (cap != 0) {
                    cfg(m, slot, 0, cap + (int) num(w[3]), (int) num(w[4]), w[5].equals("w"), num(w[6]));
                }
            }
            default -> throw new IllegalArgumentException("guest-x86 case: unknown exit " + w[0]);
        }
    }

    private void mmio(Machine m, long address, int len, boolean write, long value) {
        MemorySegment data = MemorySegment.ofArray(new byte[Math.max(len, 8)]);
        data.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, value);
        dispatch(m, new VcpuExit.Mmio(new GuestAddress(address), len, write, data));
    }

    /** A configuration cycle as a guest makes it: CONFIG_ADDRESS, then the data port at the offset's byte. */
    private long cfg(Machine m, int slot, int fn, int offset, int size, boolean write, long value) {
        configCycles++;
        long address = 0x8000_0000L | (slot & 31) << 11 | (fn & 7) << 8 | (offset & 0xfc) | ((offset & 0xf00L) << 16);
        MemorySegment a = MemorySegment.ofArray(new byte[4]);
        a.set(ValueLayout.JAVA_INT_UNALIGNED, 0, (int) address);
        dispatch(m, new VcpuExit.Io(VcpuExit.Direction.OUT, PciHostBridge.CONFIG_ADDRESS_PORT, 4, 1, a));
        MemorySegment d = MemorySegment.ofArray(new byte[8]);
        d.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, value);
        dispatch(m, new VcpuExit.Io(write ? VcpuExit.Direction.OUT : VcpuExit.Direction.IN,
                PciHostBridge.CONFIG_DATA_PORT + (offset & 3), size, 1, d));
        return d.get(ValueLayout.JAVA_LONG_UNALIGNED, 0) & (size == 8 ? -1L : (1L << (8 * size)) - 1);
    }

    private int findCap(Machine m, int slot, int id) {
        int p = (int) cfg(m, slot, 0, 0x34, 1, false, 0) & 0xfc;
        for (int hops = 0; p != 0 && hops < 48; hops++) {
            if (cfg(m, slot, 0, p, 1, false, 0) == id) {
                return p;
            }
            p = (int) cfg(m, slot, 0, p + 1, 1, false, 0) & 0xfc;
        }
        return 0;
    }

    private static void dispatch(Machine m, VcpuExit exit) {
        ExitDispatcher.handle(m.p, exit, m.counters);
    }

    // ---------------------------------------------------------------- a table for a KVM guest

    /** One access a KVM guest performs: kind 0 MMIO read, 1 MMIO write, 2 port IN, 3 port OUT. */
    record GuestAccess(int kind, int size, long address, long value) {
    }

    /**
     * The exits of {@code c} as accesses a real guest makes on the same machine (the same devices
     * in the same slots): first the firmware pass (each BAR written with the address the synthetic
     * firmware gives it, decode on), then every exit with BARs and capabilities resolved. Accesses
     * a guest cannot make as one instruction (bulk lengths, string I/O), above 4 GiB (not
     * identity mapped) or into guest RAM below {@code ramSize} (not exits; they could overwrite the
     * guest) are left out; edu DMA addresses are moved into {@code [scratch, scratch + 16 MiB)}.
     */
    static List<GuestAccess> guestTable(List<String> c, long ramSize, long scratch) {
        List<GuestAccess> out = new ArrayList<>();
        boolean mmap = c.isEmpty() || !c.get(0).contains("ivshmem-mmap=off");
        X86ExitFuzzer f = new X86ExitFuzzer();
        try (Machine m = new Machine(mmap)) {
            f.firmware(m);
            for (int slot : new int[] {3, 4, 5}) {
                for (int bar = 0; bar < 6; bar++) {
                    if (m.bars[slot][bar] != 0) {
                        cfgAccesses(out, slot, 0, 0x10 + 4 * bar, 4, true, m.bars[slot][bar]);
                    }
                }
                cfgAccesses(out, slot, 0, 0x04, 2, true, 0x7);
            }
            for (String line : c) {
                if (line.isBlank() || line.startsWith("#") || line.startsWith("machine ")) {
                    continue;
                }
                String[] w = line.strip().split("\\s+");
                switch (w[0]) {
                    case "mmio", "bar" -> {
                        boolean bar = w[0].equals("bar");
                        int i = bar ? 4 : 2;
                        long address = bar ? m.bars[(int) num(w[1]) & 7][(int) num(w[2]) % 6] + num(w[3]) : num(w[1]);
                        int len = (int) num(w[i]);
                        long value = num(w[i + 2]);
                        if (bar && (int) num(w[1]) == 3 && (num(w[3]) == EduDevice.REG_DMA_SRC || num(w[3]) == EduDevice.REG_DMA_DST)
                                && Long.compareUnsigned(value, EduDevice.DMA_BUFFER_START) < 0) {
                            value = scratch + (value & ((16 << 20) - 1));
                        }
                        if ((len == 1 || len == 2 || len == 4 || len == 8) && Long.compareUnsigned(address, ramSize) >= 0
                                && Long.compareUnsigned(address, (1L << 32) - len) <= 0) {
                            out.add(new GuestAccess(w[i + 1].equals("w") ? 1 : 0, len, address, value));
                        }
                    }
                    case "pio" -> {
                        int size = (int) num(w[2]);
                        if (size == 1 || size == 2 || size == 4) {
                            out.add(new GuestAccess(w[4].equals("in") ? 2 : 3, size, num(w[1]) & 0xffff, num(w[5])));
                        }
                    }
                    case "cfg" -> cfgAccesses(out, (int) num(w[1]), (int) num(w[2]), (int) num(w[3]), (int) num(w[4]),
                            w[5].equals("w"), num(w[6]));
                    case "cap" -> {
                        int slot = (int) num(w[1]);
                        int cap = f.findCap(m, slot, (int) num(w[2]));
                        if (cap != 0) {
                            cfgAccesses(out, slot, 0, cap + (int) num(w[3]), (int) num(w[4]), w[5].equals("w"), num(w[6]));
                        }
                    }
                    default -> throw new IllegalArgumentException("guest-x86 case: unknown exit " + w[0]);
                }
            }
        }
        return out;
    }

    private static void cfgAccesses(List<GuestAccess> out, int slot, int fn, int offset, int size, boolean write, long value) {
        long address = 0x8000_0000L | (slot & 31) << 11 | (fn & 7) << 8 | (offset & 0xfc) | ((offset & 0xf00L) << 16);
        out.add(new GuestAccess(3, 4, PciHostBridge.CONFIG_ADDRESS_PORT, address & 0xffff_ffffL));
        out.add(new GuestAccess(write ? 3 : 2, size, PciHostBridge.CONFIG_DATA_PORT + (offset & 3), value));
    }

    private static long num(String s) {
        return s.startsWith("0x") ? Long.parseUnsignedLong(s.substring(2), 16) : Long.parseLong(s);
    }

    @Override
    public String stats() {
        return "exits " + exits + ", config cycles " + configCycles;
    }

    // ---------------------------------------------------------------- corpus text

    @Override
    public byte[] render(List<String> c) {
        return LineCorpus.render("guest-x86 case: one exit per line", c);
    }

    @Override
    public List<String> parse(byte[] file) {
        return LineCorpus.parse(file);
    }
}
