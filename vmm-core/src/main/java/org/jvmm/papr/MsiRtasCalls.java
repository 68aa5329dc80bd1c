package org.jvmm.papr;

import static org.jvmm.papr.Rtas.RTAS_OUT_HW_ERROR;
import static org.jvmm.papr.Rtas.RTAS_OUT_PARAM_ERROR;
import static org.jvmm.papr.Rtas.RTAS_OUT_SUCCESS;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.jvmm.kvm.spapr.SpaprXics;

/**
 * MSI set-up through RTAS, as QEMU 7.2's hw/ppc/spapr_pci.c does it:
 * <ul>
 * <li><b>ibm,change-msi</b> (args: config address, BUID hi, BUID lo, function, requested number,
 * sequence number; rets: status, number, sequence + 1 [, type]). Function 1 picks MSI if the
 * function has the capability, else MSI-X; 3 asks for MSI, 4 for MSI-X; 0 (query) and 2 (reset),
 * like anything else, are RTAS_OUT_PARAM_ERROR, as is a type the function lacks or an unknown
 * BUID or function. A request of 0 releases what the function has (RTAS_OUT_HW_ERROR if nothing),
 * clears the MSI message, and returns 0. Otherwise the function's capacity is the MSI vectors
 * its Multiple Message Enable allows, or its MSI-X table size (0: -1, a hardware error); a
 * request above it answers success with the capacity and allocates nothing (the guest asks
 * again). Then a block is allocated from the MSI range ({@link SpaprMsiAllocator}) and claimed as
 * MSIs in the XICS (a failure is RTAS_OUT_HW_ERROR with nothing kept), the function's previous
 * block is freed, and its MSI message (address {@link #MSI_WINDOW}, data = first source) or each
 * MSI-X entry (data = first source + vector, entry unmasked) is programmed, so the function's
 * vectors raise those sources. rets[3], when asked for, is 1 for MSI and 2 for MSI-X.</li>
 * <li><b>ibm,query-interrupt-source-number</b> (args: config address, BUID hi, BUID lo,
 * vector; rets: status, source, 1 = edge): RTAS_OUT_PARAM_ERROR for an unknown BUID or function,
 * RTAS_OUT_HW_ERROR when the function has no block or the vector is past it.</li>
 * </ul>
 * As in QEMU, neither call checks nargs or nret (only rets[3] looks at nret).
 */
public final class MsiRtasCalls {
    /** QEMU 7.2's fixed tokens (include/hw/ppc/spapr.h, RTAS_TOKEN_BASE + 0x18, 0x19). */
    public static final int TOKEN_QUERY_INTERRUPT_SOURCE_NUMBER = 0x2018;
    public static final int TOKEN_CHANGE_MSI = 0x2019;
    /** SPAPR_PCI_MSI_WINDOW: the address every MSI message of a pseries PHB carries. */
    public static final long MSI_WINDOW = 0x400_0000_0000L;

    static final int FN_CHANGE = 1;
    static final int FN_CHANGE_MSI = 3;
    static final int FN_CHANGE_MSIX = 4;
    static final int TYPE_MSI = 1;
    static final int TYPE_MSIX = 2;

    /** What ibm,change-msi needs of a PCI function (QEMU's msi/msix helpers on a PCIDevice). */
    public interface MsiFunction {
        /** msi_present. */
        boolean msiPresent();

        /** msix_present. */
        boolean msixPresent();

        /** msi_nr_vectors_allocated: 1 &lt;&lt; Multiple Message Enable. */
        int msiVectorsAllocated();

        /** The MSI-X table size (msix_entries_nr). */
        int msixEntries();

        /** msi_set_message: the MSI capability's address and data. */
        void setMsiMessage(long address, int data);

        /** msix_set_message: entry {@code vector}'s address and data, and the entry unmasked. */
        void setMsixMessage(int vector, long address, int data);
    }

    /** Finds the PCI function a call names. */
    public interface Functions {
        /** Whether {@code buid} names a PHB (spapr_pci_find_phb). */
        boolean knownBuid(long buid);

        /** The function at {@code configAddress} under PHB {@code buid} (spapr_pci_find_dev), or null. */
        MsiFunction find(long buid, long configAddress);
    }

    private record Block(int firstIrq, int num) {
    }

    private final Functions functions;
    private final Supplier<SpaprXics> xics;
    private final SpaprMsiAllocator allocator = new SpaprMsiAllocator();
    private final Map<Long, Map<Long, Block>> blocks = new HashMap<>();

    public MsiRtasCalls(Functions functions, Supplier<SpaprXics> xics) {
        this.functions = functions;
        this.xics = xics;
    }

    public void registerIn(Rtas rtas) {
        rtas.register("ibm,query-interrupt-source-number", this::queryInterruptSourceNumber);
        rtas.register("ibm,change-msi", this::changeMsi);
    }

    /** The allocator (for counters and tests). */
    public SpaprMsiAllocator allocator() {
        return allocator;
    }

    /** The first source and count the function at {@code configAddress} holds, or null. */
    public synchronized int[] block(long buid, long configAddress) {
        Block b = blocks.getOrDefault(buid, Map.of()).get(configAddress);
        return b == null ? null : new int[] {b.firstIrq(), b.num()};
    }

    private static long buid(Rtas.Args a) {
        return a.arg(1) << 32 | a.arg(2);
    }

    synchronized void changeMsi(Rtas.Args a) {
        long configAddr = a.arg(0);
        long buid = buid(a);
        long func = a.arg(3);
        long reqNum = a.arg(4);
        long seqNum = a.arg(5);
        MsiFunction f = functions.knownBuid(buid) ? functions.find(buid, configAddr) : null;
        if (f == null) {
            a.ret(0, RTAS_OUT_PARAM_ERROR);
            return;
        }
        int type;
        if (func == FN_CHANGE && (f.msiPresent() || f.msixPresent())) {
            type = f.msiPresent() ? TYPE_MSI : TYPE_MSIX;
        } else if (func == FN_CHANGE_MSI && f.msiPresent()) {
            type = TYPE_MSI;
        } else if (func == FN_CHANGE_MSIX && f.msixPresent()) {
            type = TYPE_MSIX;
        } else {
            a.ret(0, RTAS_OUT_PARAM_ERROR);
            return;
        }
        Map<Long, Block> phbBlocks = blocks.computeIfAbsent(buid, k -> new HashMap<>());
        Block old = phbBlocks.get(configAddr);
        SpaprXics x = xics.get();
        if (reqNum == 0) {
            if (old == null) {
                a.ret(0, RTAS_OUT_HW_ERROR);
                return;
            }
            release(x, old);
            if (f.msiPresent()) {
                f.setMsiMessage(0, 0);
            }
            phbBlocks.remove(configAddr);
            a.ret(0, RTAS_OUT_SUCCESS);
            a.ret(1, 0);
            return;
        }
        int max = type == TYPE_MSI ? f.msiVectorsAllocated() : f.msixEntries();
        if (max == 0) {
            a.ret(0, RTAS_OUT_HW_ERROR);
            return;
        }
        if (reqNum > max) {
            answer(a, max, seqNum, type);
            return;
        }
        int num = (int) reqNum;
        int irq = x == null ? -1 : allocator.alloc(num, type == TYPE_MSI);
        if (irq < 0) {
            a.ret(0, RTAS_OUT_HW_ERROR);
            return;
        }
        for (int i = 0; i < num; i++) {
            if (!x.claim(irq + i, false)) {
                for (int j = 0; j < i; j++) {
                    x.free(irq + j);
                }
                allocator.free(irq, num);
                a.ret(0, RTAS_OUT_HW_ERROR);
                return;
            }
        }
        if (old != null) {
            release(x, old);
            phbBlocks.remove(configAddr);
        }
        if (type == TYPE_MSIX) {
            for (int i = 0; i < num; i++) {
                f.setMsixMessage(i, MSI_WINDOW, irq + i);
            }
        } else {
            f.setMsiMessage(MSI_WINDOW, irq);
        }
        phbBlocks.put(configAddr, new Block(irq, num));
        answer(a, num, seqNum, type);
    }

    private void release(SpaprXics x, Block b) {
        allocator.free(b.firstIrq(), b.num());
        if (x != null) {
            for (int i = 0; i < b.num(); i++) {
                x.free(b.firstIrq() + i);
            }
        }
    }

    private static void answer(Rtas.Args a, long num, long seqNum, int type) {
        a.ret(0, RTAS_OUT_SUCCESS);
        a.ret(1, num);
        a.ret(2, seqNum + 1);
        if (a.nret() > 3) {
            a.ret(3, type);
        }
    }

    synchronized void queryInterruptSourceNumber(Rtas.Args a) {
        long configAddr = a.arg(0);
        long buid = buid(a);
        long vector = a.arg(3);
        MsiFunction f = functions.knownBuid(buid) ? functions.find(buid, configAddr) : null;
        if (f == null) {
            a.ret(0, RTAS_OUT_PARAM_ERROR);
            return;
        }
        Block b = blocks.getOrDefault(buid, Map.of()).get(configAddr);
        if (b == null || b.firstIrq() == 0 || b.num() == 0 || vector >= b.num()) {
            a.ret(0, RTAS_OUT_HW_ERROR);
            return;
        }
        a.ret(0, RTAS_OUT_SUCCESS);
        a.ret(1, b.firstIrq() + vector);
        a.ret(2, 1);
    }
}
