package org.jvmm.vfio.spapr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.jvmm.vfio.uapi.VfioUapi.*;
import static org.jvmm.vfio.spapr.SpaprAssertions.assertErrno;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jvmm.address.Iova;
import org.jvmm.devices.edu.EduDevice;
import org.jvmm.host.Errno;
import org.jvmm.host.memory.HostMapping;
import org.jvmm.pci.PciRegs;
import org.jvmm.pci.host.spapr.PnvPhb;
import org.jvmm.testing.SpaprRig;
import org.jvmm.iommu.FaultReason;
import org.jvmm.iommu.IommuFault;
import org.jvmm.vfio.iommu.DmaMap;
import org.jvmm.vfio.iommu.EehPeOp;
import org.jvmm.vfio.iommu.SpaprRegisterMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Rule 19 (Linux drivers/vfio/vfio_iommu_spapr_tce.c): EEH (VFIO_EEH_PE_OP): the ten ops (DISABLE,
 * ENABLE, UNFREEZE_IO, UNFREEZE_DMA, GET_STATE, RESET_DEACTIVATE, RESET_HOT, RESET_FUNDAMENTAL,
 * CONFIGURE, INJECT_ERR); any flags or an unknown op is EINVAL. A DMA outside the window isolates
 * (freezes) the whole PE: MMIO reads return all-ones, DMA is blocked, until the recovery sequence
 * of Documentation/vfio.txt (seed 004) runs.
 */
@DisplayName("Rule 19: the ten EEH PE ops; a DMA outside the window freezes the PE (MMIO all-ones, DMA blocked) until the recovery sequence of Documentation/vfio.txt (seed 004)")
class SpaprRule19EehPeOps {
    private static final String OP = "VFIO_EEH_PE_OP";
    private SpaprRig rig;
    private HostMapping ram;

    @BeforeEach
    void open() {
        rig = new SpaprRig().open(VFIO_SPAPR_TCE_v2_IOMMU);
        ram = rig.memory.allocate("ram", 1 << 20);
        rig.container.spaprRegisterMemory(SpaprRegisterMemory.of(ram.address(), 1 << 20));
        rig.container.mapDma(new DmaMap(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE, ram.address(), Iova.of(0), 1 << 20));
        rig.enableDevice();
        rig.device.reset();
    }

    @AfterEach
    void close() {
        rig.close();
        ram.close();
    }

    private int op(int op) {
        return rig.container.eehPeOp(EehPeOp.of(op));
    }

    @Test
    void flagsAnUnknownOpOrAShortArgszAreEinval() {
        assertErrno(Errno.EINVAL, OP, () -> rig.container.eehPeOp(new EehPeOp(12, 1, VFIO_EEH_PE_ENABLE, 0, 0, 0, 0)));
        assertErrno(Errno.EINVAL, OP, () -> rig.container.eehPeOp(new EehPeOp(11, 0, VFIO_EEH_PE_ENABLE, 0, 0, 0, 0)));
        assertErrno(Errno.EINVAL, OP, () -> op(10));
        assertErrno(Errno.EINVAL, OP, () -> op(-1));
        assertErrno(Errno.EINVAL, OP, () -> rig.container.eehPeOp(new EehPeOp(12, 0, VFIO_EEH_PE_INJECT_ERR, 0, 0, 0, 0)));
        assertErrno(Errno.EINVAL, OP, () -> rig.container.eehPeOp(EehPeOp.inject(2, 0, 0, 0)));
        assertErrno(Errno.EINVAL, OP, () -> rig.container.eehPeOp(EehPeOp.inject(0, 20, 0, 0)));
        assertEquals(0, rig.pe().freezeCount());
    }

    @Test
    void getStateFollowsEnableDisableInjectThawAndReset() {
        assertEquals(VFIO_EEH_PE_STATE_UNAVAIL, op(VFIO_EEH_PE_GET_STATE));
        assertEquals(0, op(VFIO_EEH_PE_ENABLE));
        assertEquals(VFIO_EEH_PE_STATE_NORMAL, op(VFIO_EEH_PE_GET_STATE));
        assertEquals(0, rig.container.eehPeOp(EehPeOp.inject(PnvPhb.EEH_ERR_TYPE_32, 0, 0, 0)));
        assertEquals(VFIO_EEH_PE_STATE_STOPPED, op(VFIO_EEH_PE_GET_STATE));
        assertEquals(0, op(VFIO_EEH_PE_UNFREEZE_IO));
        assertEquals(VFIO_EEH_PE_STATE_STOPPED_DMA, op(VFIO_EEH_PE_GET_STATE));
        assertEquals(0, op(VFIO_EEH_PE_UNFREEZE_DMA));
        assertEquals(VFIO_EEH_PE_STATE_NORMAL, op(VFIO_EEH_PE_GET_STATE));
        assertEquals(0, op(VFIO_EEH_PE_RESET_FUNDAMENTAL));
        assertEquals(VFIO_EEH_PE_STATE_RESET, op(VFIO_EEH_PE_GET_STATE));
        assertErrno(Errno.EBUSY, OP, () -> op(VFIO_EEH_PE_CONFIGURE));
        assertEquals(0, op(VFIO_EEH_PE_RESET_DEACTIVATE));
        assertEquals(0, op(VFIO_EEH_PE_CONFIGURE));
        assertEquals(VFIO_EEH_PE_STATE_NORMAL, op(VFIO_EEH_PE_GET_STATE));
        assertEquals(0, op(VFIO_EEH_PE_DISABLE));
        assertEquals(VFIO_EEH_PE_STATE_UNAVAIL, op(VFIO_EEH_PE_GET_STATE));
    }

    @Test
    void aDmaOutsideTheWindowFreezesThePeAndTheSeedRecoverySequenceBringsItBack() {
        op(VFIO_EEH_PE_ENABLE);
        assertEquals(EduDevice.ID_REGISTER, rig.eduRead(EduDevice.REG_ID, 4));
        // the device reads 8 bytes at 2 GiB: outside the 1 GiB default window
        rig.eduDma(2L << 30, 0, 8, false);
        IommuFault f = rig.platform.faults().last();
        assertEquals(FaultReason.OUTSIDE_DMA_WINDOW, f.reason());
        assertEquals(Iova.of(2L << 30), f.iova());
        assertEquals(1, rig.pe().freezeCount());
        // frozen: MMIO and config read all-ones, DMA inside the window is blocked too
        assertEquals(0xffff_ffffL, rig.read(0, EduDevice.REG_ID, 4));
        assertEquals(0xffff, rig.read(VFIO_PCI_CONFIG_REGION_INDEX, 0, 2));
        assertEquals(VFIO_EEH_PE_STATE_STOPPED, op(VFIO_EEH_PE_GET_STATE));
        assertEquals(FaultReason.PE_FROZEN, rig.pe().transfer(Iova.of(0), MemorySegment.ofArray(new byte[8]), true));
        // Documentation/vfio.txt's recovery (seed 004): UNFREEZE_IO, collect logs, RESET_HOT, RESET_DEACTIVATE, CONFIGURE, restore
        op(VFIO_EEH_PE_UNFREEZE_IO);
        assertEquals(EduDevice.ID_REGISTER, rig.eduRead(EduDevice.REG_ID, 4));
        assertEquals(VFIO_EEH_PE_STATE_STOPPED_DMA, op(VFIO_EEH_PE_GET_STATE));
        op(VFIO_EEH_PE_RESET_HOT);
        assertEquals(VFIO_EEH_PE_STATE_RESET, op(VFIO_EEH_PE_GET_STATE));
        op(VFIO_EEH_PE_RESET_DEACTIVATE);
        op(VFIO_EEH_PE_CONFIGURE);
        assertEquals(VFIO_EEH_PE_STATE_NORMAL, op(VFIO_EEH_PE_GET_STATE));
        assertEquals(PciRegs.COMMAND_MEMORY | PciRegs.COMMAND_MASTER, rig.read(VFIO_PCI_CONFIG_REGION_INDEX, 4, 2) & 0x6);
        // DMA works again: RAM -> device -> RAM round trip
        byte[] pattern = new byte[64];
        for (int i = 0; i < pattern.length; i++) {
            pattern[i] = (byte) (0xa5 ^ i);
        }
        MemorySegment.copy(pattern, 0, ram.segment(), ValueLayout.JAVA_BYTE, 0x100, 64);
        rig.eduDma(0x100, 0, 64, false);
        rig.eduDma(0x800, 0, 64, true);
        assertArrayEquals(pattern, ram.segment().asSlice(0x800, 64).toArray(ValueLayout.JAVA_BYTE));
        assertEquals(1, rig.pe().freezeCount());
        assertEquals(1, rig.platform.faults().faults().size(), "only the outside-window DMA faulted");
        assertTrue(rig.pe().lastFreeze().reason().contains("outside every DMA window"), rig.pe().lastFreeze().reason());
    }
}
