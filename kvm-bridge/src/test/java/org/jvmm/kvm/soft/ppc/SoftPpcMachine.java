package org.jvmm.kvm.soft.ppc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.jvmm.address.GuestAddress;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.kvm.Memslot;
import org.jvmm.kvm.VcpuExit;
import org.jvmm.kvm.soft.PpcSoftCpu;
import org.jvmm.kvm.soft.SoftKvm;
import org.jvmm.kvm.soft.SoftVcpu;
import org.jvmm.kvm.soft.SoftVm;
import org.jvmm.kvm.soft.spapr.SoftSpaprRig;

/**
 * A soft sPAPR VM whose vCPU is the PPC64 CPU ({@link PpcSoftCpu}): either on its own (16 MiB of
 * RAM at guest-physical 0 in one memslot) or as vCPU 1 of a {@link SoftSpaprRig}, whose VM has
 * the VFIO host, the TCE tables and the KVM-VFIO device. Helpers place images and code in guest
 * RAM in the guest's byte order. Closing closes what this machine made (not the rig).
 */
final class SoftPpcMachine implements AutoCloseable {
    static final long RAM_SIZE = 16L << 20;

    final boolean littleEndian;
    final SoftVm vm;
    final MemorySegment ram;
    final PpcSoftCpu soft;
    final PpcCpu cpu;
    final SoftVcpu vcpu;
    private final HostMemoryRegistry memory;
    private final HostMapping mapping;
    private final Memslot slot;
    private final SoftKvm kvm;

    /** A VM of its own. */
    SoftPpcMachine(boolean littleEndian) {
        this.littleEndian = littleEndian;
        memory = new HostMemoryRegistry();
        mapping = memory.allocate("ppc-guest-ram", RAM_SIZE);
        kvm = new SoftKvm();
        vm = kvm.createVm(memory);
        slot = vm.mapMemory(new GuestAddress(0), RAM_SIZE, mapping.address());
        ram = mapping.segment();
        soft = new PpcSoftCpu(vm, RAM_SIZE, littleEndian);
        cpu = soft.ppc();
        vcpu = vm.createVcpu(0, soft);
    }

    /** vCPU 1 of {@code rig}'s VM (its scripted vCPU 0 stays idle). */
    SoftPpcMachine(SoftSpaprRig rig, boolean littleEndian) {
        this.littleEndian = littleEndian;
        memory = null;
        mapping = null;
        kvm = null;
        slot = null;
        vm = rig.vm;
        ram = rig.ram.segment();
        soft = new PpcSoftCpu(vm, SoftSpaprRig.RAM_SIZE, littleEndian);
        cpu = soft.ppc();
        vcpu = vm.createVcpu(1, soft);
    }

    ByteOrder order() {
        return littleEndian ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
    }

    /** Copies test resource {@code /ppc/<name>-<le|be>.bin} to guest-physical 0 and points PC at it. */
    void loadImage(String name) {
        String path = "/ppc/" + name + "-" + (littleEndian ? "le" : "be") + ".bin";
        byte[] image;
        try (InputStream in = SoftPpcMachine.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException(path + " is not on the test class path");
            }
            image = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        MemorySegment.copy(MemorySegment.ofArray(image), 0, ram, 0, image.length);
        cpu.invalidateCode(new GuestAddress(0), image.length);
        cpu.setPc(new GuestAddress(0));
    }

    /** Writes instruction words at {@code address} in the guest's byte order and drops stale code. */
    void code(long address, int... words) {
        ValueLayout.OfInt w = ValueLayout.JAVA_INT_UNALIGNED.withOrder(order());
        for (int i = 0; i < words.length; i++) {
            ram.set(w, address + 4L * i, words[i]);
        }
        cpu.invalidateCode(new GuestAddress(address), 4L * words.length);
    }

    void write64(long address, long v) {
        ram.set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(order()), address, v);
    }

    long read64(long address) {
        return ram.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(order()), address);
    }

    VcpuExit run() {
        return vcpu.run();
    }

    @Override
    public void close() {
        vcpu.close();
        if (kvm != null) {
            slot.close();
            vm.close();
            kvm.close();
            mapping.close();
        }
    }
}
