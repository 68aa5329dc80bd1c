package org.jvmm.kvm.soft.spapr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.jvmm.kvm.spapr.Papr.*;

import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.kvm.KvmVfioDevice;
import org.jvmm.kvm.spapr.SpaprTceCreate64;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Rule 33 (Linux virt/kvm/vfio.c): The per-window LIOBN link design (seed 000), never merged,
 * proposes KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE_LIOBN {argsz, fd, liobn, start_addr} (argsz < minimum
 * size is EINVAL, a bad fd EBADF), called once per DMA window (32-bit and DDW). It never reached
 * mainline; supporting it beside the mainline attribute lets both designs be compared.
 */
@DisplayName("Rule 33: the per-window LIOBN link (SET_SPAPR_TCE_LIOBN, never merged; seed 000) {argsz, fd, liobn, start_addr}, once per DMA window (32-bit and DDW)")
class SoftRule33SetSpaprTceLiobnPerWindow {
    private static final String OP = "KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE_LIOBN";
    private static final long LIOBN_64 = 0x8000_0100L;

    private static void errno(Errno errno, Executable call) {
        ErrnoException e = assertThrows(ErrnoException.class, call);
        assertEquals(errno, e.errno(), e.getMessage());
        assertEquals(OP, e.operation());
    }

    @Test
    void shortArgszBadFdUnknownGroupLiobnOrStartAreRefused() {
        try (SoftSpaprRig rig = new SoftSpaprRig(true); KvmTceTable t = rig.kvmTable(); KvmVfioDevice d = rig.vm.createVfioDevice()) {
            errno(Errno.EINVAL, () -> d.setSpaprTceLiobn(23, rig.groupFd, SoftSpaprRig.LIOBN, 0));
            errno(Errno.EBADF, () -> d.setSpaprTceLiobn(24, 4242, SoftSpaprRig.LIOBN, 0));
            errno(Errno.ENOENT, () -> d.setSpaprTceLiobn(24, rig.groupFd, SoftSpaprRig.LIOBN, 0));
            d.addFile(rig.groupFd);
            errno(Errno.EINVAL, () -> d.setSpaprTceLiobn(24, rig.groupFd, 0x1234, 0));
            errno(Errno.EINVAL, () -> d.setSpaprTceLiobn(24, rig.groupFd, SoftSpaprRig.LIOBN, 1L << 40));
            assertEquals(0, t.links().size());
            d.setSpaprTceLiobn(32, rig.groupFd, SoftSpaprRig.LIOBN, 0);
            assertEquals(rig.hw32(), t.links().get(0).table());
        }
    }

    @Test
    void oneCallPerWindowLinksTheDefaultAndTheDynamicWindowToTheirLiobns() {
        try (SoftSpaprRig rig = new SoftSpaprRig(true); KvmTceTable t32 = rig.kvmTable();
                KvmTceTable t64 = rig.vm.createSpaprTce64(new SpaprTceCreate64(LIOBN_64, 16, 0, rig.ddwStart.value() >>> 16, 1 << 14));
                KvmVfioDevice d = rig.vfioDevice()) {
            d.setSpaprTceLiobn(24, rig.groupFd, SoftSpaprRig.LIOBN, 0);
            d.setSpaprTceLiobn(24, rig.groupFd, LIOBN_64, rig.ddwStart.value());
            assertEquals(H_SUCCESS, Hcalls.inBridge(rig, H_PUT_TCE, LIOBN_64, rig.ddwStart.value() + 0x30000, 0x20000 | 3)[0]);
            assertEquals(H_SUCCESS, Hcalls.inBridge(rig, H_PUT_TCE, SoftSpaprRig.LIOBN, 0x3000, 0x5000 | 1)[0]);
            long base = rig.ram.address().value();
            assertEquals((base + 0x20000) | 3, rig.iommu().table(1).get((rig.ddwStart.value() >>> 16) + 3));
            assertEquals((base + 0x5000) | 1, rig.hw32().get(3));
            assertEquals(0, rig.vcpu.hcallExits());
        }
    }
}
