package org.jvmm.kvm.soft.spapr;

import static org.jvmm.vfio.uapi.VfioUapi.*;

import org.jvmm.address.GuestAddress;
import org.jvmm.address.Iova;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.host.kernel.PowerHost;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.kvm.KvmVfioDevice;
import org.jvmm.kvm.Memslot;
import org.jvmm.kvm.soft.ScriptedCpu;
import org.jvmm.kvm.soft.SoftKvm;
import org.jvmm.kvm.soft.SoftVcpu;
import org.jvmm.kvm.soft.SoftVm;
import org.jvmm.kvm.spapr.SpaprTceCreate64;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.pci.host.spapr.PnvPhb;
import org.jvmm.pci.host.spapr.TceTable;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioGroup;
import org.jvmm.vfio.iommu.SpaprRegisterMemory;
import org.jvmm.vfio.iommu.SpaprTceCreate;
import org.jvmm.vfio.iommu.SpaprTceIommu;
import org.jvmm.vfio.iommu.SpaprTceRemove;

/**
 * A soft sPAPR VM with 16 MiB of RAM at guest-physical 0 and one scripted vCPU, beside a POWER
 * host whose edu (0001:01:00.0) sits in a v2 sPAPR container as QEMU sets it up: RAM
 * pre-registered, the default window removed and a 1 GiB window of 4 KiB pages created at bus 0
 * (and, when asked, a 64-bit window of 64 KiB pages). The group's fd is in the soft fd table.
 */
public final class SoftSpaprRig implements AutoCloseable {
    public static final long RAM_SIZE = 16L << 20;
    public static final long LIOBN = 0x8000_0000L;
    public static final PciAddress EDU = PowerHost.EDU;

    public final HostMemoryRegistry memory;
    public final PnvPhb phb;
    public final EduDevice edu;
    public final HostPciPlatform platform;
    public final VfioContainer container;
    public final VfioGroup group;
    public final int groupFd;
    public final HostMapping ram;
    public final SoftKvm kvm = new SoftKvm();
    public final SoftVm vm;
    public final Memslot slot;
    public final SoftVcpu vcpu;
    public final ScriptedCpu cpu;
    public Iova ddwStart;

    public SoftSpaprRig(boolean ddw) {
        PowerHost host = PowerHost.create();
        memory = host.memory();
        phb = host.phb();
        edu = host.edu();
        platform = host.platform();
        ram = memory.allocate("guest-ram", RAM_SIZE);
        container = VfioContainer.open(platform);
        group = VfioGroup.open(platform, platform.iommuGroupOf(EDU));
        group.setContainer(container);
        container.setIommu(VFIO_SPAPR_TCE_v2_IOMMU);
        container.spaprRegisterMemory(SpaprRegisterMemory.of(ram.address(), RAM_SIZE));
        container.spaprTceRemove(SpaprTceRemove.of(Iova.of(0)));
        container.spaprTceCreate(SpaprTceCreate.of(12, 1L << 30, 1));
        if (ddw) {
            ddwStart = container.spaprTceCreate(SpaprTceCreate.of(16, 1L << 30, 1));
        }
        vm = kvm.createVm(memory);
        groupFd = kvm.files().install(group);
        slot = vm.mapMemory(new GuestAddress(0), RAM_SIZE, ram.address());
        vcpu = vm.createVcpu(0);
        cpu = (ScriptedCpu) vcpu.cpu();
    }

    public SoftSpaprRig() {
        this(false);
    }

    public SpaprTceIommu iommu() {
        return (SpaprTceIommu) container.backend();
    }

    /** The hardware table behind bus address 0 (the 32-bit window). */
    public TceTable hw32() {
        return iommu().table(0);
    }

    /** A KVM table for {@link #LIOBN} over the 1 GiB window with 4 KiB pages. */
    public KvmTceTable kvmTable() {
        return vm.createSpaprTce64(new SpaprTceCreate64(LIOBN, 12, 0, 0, (1L << 30) >>> 12));
    }

    /** The KVM-VFIO device with the group added. */
    public KvmVfioDevice vfioDevice() {
        KvmVfioDevice d = vm.createVfioDevice();
        d.addFile(groupFd);
        return d;
    }

    @Override
    public void close() {
        vcpu.close();
        slot.close();
        vm.close();
        kvm.close();
        group.close();
        container.close();
        ram.close();
    }
}
