package org.jvmm.bench.spapr;

import static org.jvmm.vfio.uapi.VfioUapi.VFIO_SPAPR_TCE_v2_IOMMU;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.jvmm.address.GuestAddress;
import org.jvmm.address.Iova;
import org.jvmm.host.kernel.PowerHost;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.kvm.KvmVfioDevice;
import org.jvmm.kvm.Memslot;
import org.jvmm.kvm.VcpuExit;
import org.jvmm.kvm.soft.PpcSoftCpu;
import org.jvmm.kvm.soft.SoftKvm;
import org.jvmm.kvm.soft.SoftVcpu;
import org.jvmm.kvm.soft.SoftVm;
import org.jvmm.kvm.soft.spapr.KvmTceTable;
import org.jvmm.kvm.spapr.Papr;
import org.jvmm.kvm.spapr.SpaprTceCreate64;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioGroup;
import org.jvmm.vfio.iommu.SpaprRegisterMemory;
import org.jvmm.vfio.iommu.SpaprTceCreate;
import org.jvmm.vfio.iommu.SpaprTceRemove;

/**
 * The H_PUT_TCE loop guest (kvm-bridge src/test/ppc-guest/tce.c, image tce-le.bin) on a soft
 * sPAPR VM with the PPC64 CPU, beside a POWER host whose edu (0001:01:00.0) is in a v2 sPAPR VFIO
 * container set up as QEMU does it: 16 MiB of guest RAM pre-registered, a 1 GiB window of 4 KiB
 * pages at bus 0, a KVM TCE table for {@link #LINKED_LIOBN} over it, linked to the group through
 * the KVM-VFIO device. {@link #batch} runs one batch of guest calls: to the linked LIOBN they stay
 * in the bridge; to {@link #UNKNOWN_LIOBN} every call exits to a minimal VMM that answers
 * H_SUCCESS and re-enters. Confined to one thread.
 */
final class PutTceLoopMachine implements AutoCloseable {
    static final long RAM_SIZE = 16L << 20;
    static final long LINKED_LIOBN = 0x8000_0000L;
    static final long UNKNOWN_LIOBN = 0x8000_0010L;
    static final long H_TEST_BATCH_DONE = 0xF003;
    private static final long PARAMS = 0x100000;
    private static final PciAddress EDU = PowerHost.EDU;
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final HostMemoryRegistry memory;
    private final HostPciPlatform platform;
    private final VfioContainer container;
    private final VfioGroup group;
    private final HostMapping ram;
    private final SoftKvm kvm = new SoftKvm();
    private final SoftVm vm;
    private final Memslot slot;
    private final KvmTceTable table;
    private final KvmVfioDevice vfioDevice;
    private final SoftVcpu vcpu;
    final PpcSoftCpu cpu;

    PutTceLoopMachine() {
        PowerHost host = PowerHost.create();
        memory = host.memory();
        platform = host.platform();
        ram = memory.allocate("guest-ram", RAM_SIZE);
        container = VfioContainer.open(platform);
        group = VfioGroup.open(platform, platform.iommuGroupOf(EDU));
        group.setContainer(container);
        container.setIommu(VFIO_SPAPR_TCE_v2_IOMMU);
        container.spaprRegisterMemory(SpaprRegisterMemory.of(ram.address(), RAM_SIZE));
        container.spaprTceRemove(SpaprTceRemove.of(Iova.of(0)));
        container.spaprTceCreate(SpaprTceCreate.of(12, 1L << 30, 1));
        vm = kvm.createVm(memory);
        int groupFd = kvm.files().install(group);
        slot = vm.mapMemory(new GuestAddress(0), RAM_SIZE, ram.address());
        table = vm.createSpaprTce64(new SpaprTceCreate64(LINKED_LIOBN, 12, 0, 0, (1L << 30) >>> 12));
        vfioDevice = vm.createVfioDevice();
        vfioDevice.addFile(groupFd);
        vfioDevice.setSpaprTce(groupFd, table.fd());
        byte[] image;
        try (InputStream in = PutTceLoopMachine.class.getResourceAsStream("/ppc/tce-le.bin")) {
            if (in == null) {
                throw new IllegalStateException("/ppc/tce-le.bin is not on the class path");
            }
            image = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        MemorySegment.copy(MemorySegment.ofArray(image), 0, ram.segment(), 0, image.length);
        cpu = new PpcSoftCpu(vm, RAM_SIZE, true);
        vcpu = vm.createVcpu(0, cpu);
    }

    /**
     * Runs one batch of {@code count} H_PUT_TCE calls to {@code liobn} (ioba 0, 4 KiB apart; TCEs
     * cycling read/write over 256 guest pages from 2 MiB) and returns the PAPR_HCALL exits it took,
     * the batch report included. Throws if any call did not return H_SUCCESS to the guest.
     */
    long batch(long liobn, long count) {
        long[] p = {liobn, 0, 0x1000, 0x200000 | 3, 0x1000, 256, count};
        MemorySegment params = ram.segment();
        for (int i = 0; i < p.length; i++) {
            params.set(LE_LONG, PARAMS + 8L * i, p[i]);
        }
        long exits = 0;
        while (true) {
            VcpuExit e = vcpu.run();
            exits++;
            if (!(e instanceof VcpuExit.PaprHcall h)) {
                throw new IllegalStateException("H_PUT_TCE loop guest stopped with " + e + " at " + cpu.ppc().pc());
            }
            if (h.nr() == Papr.H_PUT_TCE) {
                h.respond(Papr.H_SUCCESS);
            } else if (h.nr() == H_TEST_BATCH_DONE) {
                h.respond(Papr.H_SUCCESS);
                if (h.arg(0) != count) {
                    throw new IllegalStateException("batch to LIOBN 0x" + Long.toHexString(liobn) + ": " + h.arg(0)
                            + " of " + count + " calls succeeded, last status " + h.arg(1));
                }
                return exits;
            } else {
                throw new IllegalStateException("unexpected hypercall " + h);
            }
        }
    }

    /** The linked table's guest view of bus page {@code entry}. */
    long tce(long entry) {
        return table.get(entry);
    }

    @Override
    public void close() {
        vcpu.close();
        vfioDevice.close();
        table.close();
        slot.close();
        vm.close();
        kvm.close();
        group.close();
        container.close();
        ram.close();
    }
}
