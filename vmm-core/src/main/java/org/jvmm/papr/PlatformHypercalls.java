package org.jvmm.papr;

import static org.jvmm.kvm.spapr.Papr.H_PARAMETER;
import static org.jvmm.kvm.spapr.Papr.H_SUCCESS;

import java.util.function.Consumer;
import org.jvmm.address.GuestAddress;
import org.jvmm.memory.GuestMemory;

/**
 * H_SET_MODE and the cache-inhibited logical loads and stores, as QEMU 7.2's hw/ppc/spapr_hcall.c
 * answers them:
 * <ul>
 * <li>H_SET_MODE(mflags, resource, value1, value2): resource 4 (interrupt endianness) only;
 *     value1 nonzero is H_P3, value2 nonzero H_P4; mflags 0 makes interrupts big-endian, 1
 *     little-endian (LPCR[ILE] of every vCPU), anything else H_UNSUPPORTED_FLAG. Every other
 *     resource is H_P2 (the CIABR, DAWR and address-translation-mode resources are not offered:
 *     this CPU has no debug registers and no MMU).</li>
 * <li>H_LOGICAL_CI_LOAD(size, addr): size 1, 2, 4 or 8 reads guest-physical addr (big-endian,
 *     unassigned reads all-ones) into r4; another size is H_PARAMETER.
 *     H_LOGICAL_CI_STORE(size, addr, value) likewise writes.</li>
 * </ul>
 */
public final class PlatformHypercalls {
    private final GuestMemory memory;
    private final Consumer<Boolean> interruptLittleEndian;

    /** @param interruptLittleEndian sets LPCR[ILE] of every vCPU */
    public PlatformHypercalls(GuestMemory memory, Consumer<Boolean> interruptLittleEndian) {
        this.memory = memory;
        this.interruptLittleEndian = interruptLittleEndian;
    }

    public void registerIn(PaprHypercalls table) {
        table.register(PaprNumbers.H_SET_MODE, this::hSetMode);
        table.register(PaprNumbers.H_LOGICAL_CI_LOAD, this::hLogicalCiLoad);
        table.register(PaprNumbers.H_LOGICAL_CI_STORE, this::hLogicalCiStore);
    }

    long hSetMode(long[] args, long[] rets) {
        if (args[1] != PaprNumbers.H_SET_MODE_RESOURCE_LE) {
            return PaprNumbers.H_P2;
        }
        if (args[2] != 0) {
            return PaprNumbers.H_P3;
        }
        if (args[3] != 0) {
            return PaprNumbers.H_P4;
        }
        if (args[0] == PaprNumbers.H_SET_MODE_ENDIAN_BIG) {
            interruptLittleEndian.accept(false);
            return H_SUCCESS;
        }
        if (args[0] == PaprNumbers.H_SET_MODE_ENDIAN_LITTLE) {
            interruptLittleEndian.accept(true);
            return H_SUCCESS;
        }
        return PaprNumbers.H_UNSUPPORTED_FLAG;
    }

    private static boolean validSize(long size) {
        return size == 1 || size == 2 || size == 4 || size == 8;
    }

    long hLogicalCiLoad(long[] args, long[] rets) {
        if (!validSize(args[0])) {
            return H_PARAMETER;
        }
        rets[0] = memory.read(new GuestAddress(args[1]), (int) args[0]);
        return H_SUCCESS;
    }

    long hLogicalCiStore(long[] args, long[] rets) {
        if (!validSize(args[0])) {
            return H_PARAMETER;
        }
        memory.write(new GuestAddress(args[1]), (int) args[0], args[2]);
        return H_SUCCESS;
    }
}
