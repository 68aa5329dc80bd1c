package org.jvmm.kvm.soft.spapr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.jvmm.kvm.spapr.Papr.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jvmm.address.Iova;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.kvm.KvmVfioDevice;
import org.jvmm.kvm.soft.SoftVm;
import org.jvmm.kvm.spapr.SpaprTceCreate64;
import org.jvmm.iommu.FaultReason;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Rule 32 (Linux virt/kvm/vfio.c): Mainline links a group to a KVM TCE table with
 * KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE {groupfd, tablefd}: ENOENT if the group was never added; EINVAL
 * if the table is not this VM's or no hardware table matches its page size, offset and size.
 */
@DisplayName("Rule 32: SET_SPAPR_TCE {groupfd, tablefd} links a group's matching hardware table; ENOENT/EINVAL otherwise")
class SoftRule32SetSpaprTceLinksHardware {
    private static final String OP = "KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE";

    private static void errno(Errno errno, Executable call) {
        ErrnoException e = assertThrows(ErrnoException.class, call);
        assertEquals(errno, e.errno(), e.getMessage());
        assertEquals(OP, e.operation());
    }

    @Test
    void aGroupNeverAddedIsEnoentAndAForeignOrMismatchedTableEinval() {
        try (SoftSpaprRig rig = new SoftSpaprRig(); KvmTceTable t = rig.kvmTable(); KvmVfioDevice d = rig.vm.createVfioDevice()) {
            errno(Errno.ENOENT, () -> d.setSpaprTce(rig.groupFd, t.fd()));
            d.addFile(rig.groupFd);
            errno(Errno.EBADF, () -> d.setSpaprTce(rig.groupFd, 4242));
            SoftVm other = rig.kvm.createVm(rig.memory);
            KvmTceTable foreign = other.createSpaprTce64(new SpaprTceCreate64(0x8000_0000L, 12, 0, 0, 1 << 18));
            errno(Errno.EINVAL, () -> d.setSpaprTce(rig.groupFd, foreign.fd()));
            foreign.close();
            other.close();
            // 64 KiB hardware pages are bigger than 4 KiB guest pages: no match
            try (KvmTceTable wrongStart = rig.vm.createSpaprTce64(new SpaprTceCreate64(0x8000_0001L, 12, 0, 1, 1 << 10))) {
                errno(Errno.EINVAL, () -> d.setSpaprTce(rig.groupFd, wrongStart.fd()));
            }
            try (KvmTceTable tooBig = rig.vm.createSpaprTce64(new SpaprTceCreate64(0x8000_0002L, 12, 0, 0, 1 << 19))) {
                errno(Errno.EINVAL, () -> d.setSpaprTce(rig.groupFd, tooBig.fd()));
            }
            assertFalse(t.linked());
            d.setSpaprTce(rig.groupFd, t.fd());
            assertTrue(t.linked());
            assertEquals(rig.hw32(), t.links().get(0).table());
        }
    }

    @Test
    void theLinkedFastPathUpdatesTheHardwareTableAndDeviceDmaUsesItWithNoExit() {
        try (SoftSpaprRig rig = new SoftSpaprRig(); KvmTceTable t = rig.kvmTable(); KvmVfioDevice d = rig.vfioDevice()) {
            d.setSpaprTce(rig.groupFd, t.fd());
            assertEquals(H_SUCCESS, Hcalls.inBridge(rig, H_PUT_TCE, SoftSpaprRig.LIOBN, 0x40000, 0x9000 | 3)[0]);
            assertEquals(0, rig.vcpu.hcallExits());
            byte[] pattern = new byte[256];
            for (int i = 0; i < pattern.length; i++) {
                pattern[i] = (byte) (i ^ 0x5a);
            }
            MemorySegment.copy(MemorySegment.ofArray(pattern), 0, rig.ram.segment(), 0x9000, 256);
            byte[] got = new byte[256];
            assertEquals(null, rig.iommu().transfer(Iova.of(0x40000), MemorySegment.ofArray(got), false));
            assertArrayEquals(pattern, got);
            assertEquals(H_SUCCESS, Hcalls.inBridge(rig, H_PUT_TCE, SoftSpaprRig.LIOBN, 0x40000, 0)[0]);
            assertEquals(FaultReason.UNMAPPED, rig.iommu().transfer(Iova.of(0x40000), MemorySegment.ofArray(got), false));
            assertEquals(0, rig.phb.preregistered().lookup(rig.ram.address().value(), 4096).mappedCount());
        }
    }

    @Test
    void deletingTheGroupUnlinksIt() {
        try (SoftSpaprRig rig = new SoftSpaprRig(); KvmTceTable t = rig.kvmTable(); KvmVfioDevice d = rig.vfioDevice()) {
            d.setSpaprTce(rig.groupFd, t.fd());
            d.deleteFile(rig.groupFd);
            assertFalse(t.linked());
            Hcalls.inBridge(rig, H_PUT_TCE, SoftSpaprRig.LIOBN, 0x1000, 0x2000 | 3);
            assertEquals(0, rig.hw32().get(1));
            assertEquals(0x2003, t.get(1));
            rig.ram.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
        }
    }
}
