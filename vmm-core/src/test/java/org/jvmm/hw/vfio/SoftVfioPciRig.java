package org.jvmm.hw.vfio;

import java.nio.ByteOrder;
import org.jvmm.accel.kvm.GsiRouter;
import org.jvmm.host.kernel.HostKernel;
import org.jvmm.host.memory.HostMemoryRegistry;
import org.jvmm.host.memory.LockedMemoryAccount;
import org.jvmm.kvm.soft.SoftKvm;
import org.jvmm.kvm.soft.SoftVm;
import org.jvmm.memory.AddressSpace;
import org.jvmm.pci.PciAddress;
import org.jvmm.pci.PciDeviceModel;
import org.jvmm.pci.PciRegs;
import org.jvmm.pci.host.HostPciPlatform;
import org.jvmm.vfio.VfioContainer;
import org.jvmm.vfio.VfioDevice;
import org.jvmm.vfio.VfioGroup;
import org.jvmm.vfio.uapi.VfioUapi;

/**
 * A vfio-pci device ({@code name}) without a machine or /dev/kvm: a host with one function ({@code model} at
 * {@code host}, bound to vfio-pci, 16 MiB of locked memory) whose group sits in a TYPE1v2
 * container, realized as a {@link VfioPciDevice} on a soft VM with its own GSI router, memory
 * decode and bus mastering on, and BAR0 seen through an address space of its own. Shared by
 * vmm-core's tests and the benchmarks (vmm-core's test-jar). One thread; {@link #close} releases
 * everything in reverse order.
 */
public final class SoftVfioPciRig implements AutoCloseable {
    public final HostMemoryRegistry registry = new HostMemoryRegistry();
    public final HostPciPlatform platform;
    public final SoftKvm kvm = new SoftKvm();
    public final SoftVm vm;
    public final GsiRouter router;
    public final VfioContainer container;
    public final VfioGroup group;
    public final VfioPciDevice dev;
    public final AddressSpace bar;
    private boolean devClosed;

    public SoftVfioPciRig(String name, PciAddress host, PciDeviceModel model) {
        platform = HostKernel.builder()
                .memory(registry)
                .memlock(new LockedMemoryAccount(16L << 20, false))
                .endpoint(host.toString(), model, HostPciPlatform.VFIO_PCI, true)
                .build();
        vm = kvm.createVm(registry);
        router = new GsiRouter(vm);
        container = VfioContainer.open(platform);
        group = VfioGroup.open(platform, platform.iommuGroupOf(host));
        group.setContainer(container);
        container.setIommu(VfioUapi.VFIO_TYPE1v2_IOMMU);
        VfioSpace space = new VfioSpace() {
            @Override
            public VfioDevice openDevice(PciAddress h) {
                return group.getDeviceFd(h.toString());
            }

            @Override
            public VfioContainer container() {
                return container;
            }

            @Override
            public HostPciPlatform platform() {
                return platform;
            }
        };
        dev = VfioPciDevice.realize(name, space, host, vm, router, -1);
        dev.configWrite(PciRegs.COMMAND, 2, PciRegs.COMMAND_MEMORY | PciRegs.COMMAND_MASTER);
        bar = new AddressSpace("bar0", dev.barRegion(0), ByteOrder.LITTLE_ENDIAN);
    }

    /** Closes the device ahead of the rig (a test of what closing releases); {@link #close} then skips it. */
    public void closeDevice() {
        dev.close();
        devClosed = true;
    }

    @Override
    public void close() {
        bar.close();
        if (!devClosed) {
            dev.close();
        }
        group.close();
        container.close();
        vm.close();
        kvm.close();
    }
}
