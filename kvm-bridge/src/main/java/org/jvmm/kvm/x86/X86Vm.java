package org.jvmm.kvm.x86;

import org.jvmm.address.GuestAddress;
import org.jvmm.kvm.Vm;

/** A VM on an x86-64 host. Thread rules as {@link Vm}. */
public interface X86Vm extends Vm {

    @Override
    X86Vcpu createVcpu(int id);

    /**
     * KVM_SET_TSS_ADDR: three pages of guest-physical space (below 4 GiB, not RAM) Intel VMX needs
     * for real-mode emulation; QEMU uses 0xfffbd000.
     */
    void setTssAddress(GuestAddress address);

    /**
     * KVM_CREATE_PIT2: the in-kernel i8254 timer on ports 0x40-0x43, wired to GSI 0; needs the
     * in-kernel irqchip first. {@code speakerDummy} sets KVM_PIT_SPEAKER_DUMMY (port 0x61 reads
     * answered in the kernel).
     */
    void createPit2(boolean speakerDummy);

    /** KVM_SET_IDENTITY_MAP_ADDR: one page Intel VMX uses for real-mode paging; QEMU uses 0xfeffc000. */
    void setIdentityMapAddress(GuestAddress address);
}
