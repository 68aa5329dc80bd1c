package org.jvmm.guests;

import org.jvmm.fuzz.LineCorpus;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.devices.ivshmem.IvshmemPlainDevice;
import org.jvmm.devices.msixdoorbell.MsixDoorbellDevice;
import org.jvmm.fuzz.Fuzzer;
import org.jvmm.fuzz.Fuzzers;
import org.jvmm.host.kernel.HostKernel;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.machine.x86.X86ToyMachine;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.host.memory.LockedMemoryAccount;

/**
 * The x86 guest fuzzer on KVM: the x86 exit fuzzer's random exits (MMIO to every BAR of edu,
 * ivshmem and the MSI-X doorbell, port I/O, PCI configuration cycles) turned into a table of
 * accesses that the {@code fuzz-table} guest performs from guest RAM, as real instructions on a
 * real vCPU, on the x86-toy machine with the same three functions through vfio-pci. An escape is
 * the run failing with a Throwable (the vCPU thread's), or the guest not finishing its table
 * within the time limit (a VMM hang: the guest waits on nothing).
 */
final class X86KvmGuestFuzzer implements Fuzzer<List<String>> {
    static final long RAM = 64L << 20;
    private static final long TABLE = 0x40_0000L;
    private static final long SCRATCH = 0x200_0000L;
    private static final long MAGIC = 0x656c6261747a7566L; // "fuztable"
    private static final PciAddress EDU = PciAddress.parse("0000:00:03.0");
    private static final PciAddress IVSHMEM = PciAddress.parse("0000:00:04.0");
    private static final PciAddress MSIX = PciAddress.parse("0000:00:05.0");

    private long accesses;
    private long finished;
    private long stoppedEarly;
    private String lastEarlyStop = "";

    @Override
    public String name() {
        return "guest-x86-kvm";
    }

    @Override
    public List<String> generate(SplittableRandom r) {
        return Fuzzers.x86ExitLines(r);
    }

    @Override
    public void execute(List<String> c) throws Exception {
        List<long[]> table = Fuzzers.x86GuestTable(c, RAM, SCRATCH);
        boolean mmap = c.isEmpty() || !c.get(0).contains("ivshmem-mmap=off");
        HostMemoryRegistry registry = new HostMemoryRegistry();
        try (HostMapping shared = registry.allocate("ivshmem", 1L << 20)) {
            run(table, mmap, registry, shared);
        }
    }

    private void run(List<long[]> table, boolean mmap, HostMemoryRegistry registry, HostMapping shared)
            throws InterruptedException {
        HostPciPlatform platform = HostKernel.builder().memory(registry).memlock(new LockedMemoryAccount(1L << 30, false))
                .endpoint(EDU.toString(), new EduDevice(), HostPciPlatform.VFIO_PCI, true)
                .endpoint(IVSHMEM.toString(), new IvshmemPlainDevice(shared),
                        HostPciPlatform.VFIO_PCI, true)
                .endpoint(MSIX.toString(), new MsixDoorbellDevice(), HostPciPlatform.VFIO_PCI, true)
                .build();
        try (X86ToyMachine m = X86ToyMachine.create(registry, RAM, new ByteArrayOutputStream())) {
            m.addVfioPci(platform, EDU, 3);
            m.addVfioPci(platform, IVSHMEM, 4, !mmap);
            m.addVfioPci(platform, MSIX, 5);
            MemorySegment ram = m.layout().ram().segment();
            ram.set(ValueLayout.JAVA_LONG_UNALIGNED, TABLE, MAGIC);
            ram.set(ValueLayout.JAVA_LONG_UNALIGNED, TABLE + 8, table.size());
            long at = TABLE + 32;
            for (long[] a : table) {
                ram.set(ValueLayout.JAVA_BYTE, at, (byte) a[0]);
                ram.set(ValueLayout.JAVA_BYTE, at + 1, (byte) a[1]);
                ram.set(ValueLayout.JAVA_LONG_UNALIGNED, at + 8, a[2]);
                ram.set(ValueLayout.JAVA_LONG_UNALIGNED, at + 16, a[3]);
                at += 24;
            }
            m.boot(GuestImages.x86("fuzz-table"), TABLE);
            X86ToyMachine.RunResult rr = m.run(Duration.ofSeconds(20), null); // a Throwable of the vCPU thread escapes here
            long done = ram.get(ValueLayout.JAVA_LONG_UNALIGNED, TABLE + 24);
            accesses += done;
            if (rr.stopReason().equals("time limit reached")) {
                throw new AssertionError("hang: the guest performed " + done + " of " + table.size()
                        + " accesses in 20 s (the accesses need no waiting)");
            }
            if (done == table.size() && rr.exitedWith(1)) {
                finished++;
            } else {
                stoppedEarly++; // the guest can do itself in (a DMA over its own page tables): not an escape
                lastEarlyStop = rr.stopReason() + " after " + done + "/" + table.size();
            }
        }
    }

    @Override
    public String stats() {
        return "guest accesses " + accesses + ", tables finished " + finished + ", guests stopped early " + stoppedEarly
                + (lastEarlyStop.isEmpty() ? "" : " (last: " + lastEarlyStop + ")");
    }

    @Override
    public byte[] render(List<String> c) {
        return LineCorpus.render("guest-x86-kvm case: the x86 exit fuzzer's format, one exit per line", c);
    }

    @Override
    public List<String> parse(byte[] file) {
        return Fuzzers.x86ExitLines(file);
    }
}
