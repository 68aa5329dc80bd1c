package org.jvmm.pci;

import static org.jvmm.pci.PciRegs.*;

import java.util.Arrays;

/**
 * The config space of one endpoint function (type 0 header) as software sees it: 256 bytes for
 * conventional PCI, 4 KiB for PCI Express. Built from a {@link PciDeviceModel}'s description:
 * BARs, and the capability list (PCIe at 0x40, MSI at 0x80 after it, or at 0x40, the first free offset as
 * QEMU's msi_init picks it, for a conventional PCI function; MSI-X at 0xa0).
 *
 * <p>Register semantics: read-only identity; BARs keep {@code value & ~(size - 1)} plus their
 * read-only type bits, so writing all-ones and reading back gives the size mask (BAR sizing);
 * the command register's I/O, memory, bus-master, parity, SERR and INTx-disable bits are
 * writable; MSI enable/multiple-message-enable/address/data and MSI-X enable/function-mask are
 * writable; everything else ignores writes. Accesses must be 1, 2 or 4 bytes and naturally
 * aligned inside the space, otherwise {@link IllegalArgumentException}.
 *
 * <p>Not thread-safe: its owner (the vfio-pci device) serialises access. One exception: the
 * command register's readers ({@link #command()}, {@link #memoryDecode()}, {@link #ioDecode()} ...)
 * may run on any thread without locking, so a trapped BAR access can check decode cheaply; they
 * read a volatile copy of the register that every change publishes.
 */
public final class PciConfigSpace {
    private final byte[] bytes;
    private final byte[] writeMask;
    private final long[] barSizes = new long[6];
    private final BarSpec[] barByIndex = new BarSpec[6];
    private final PciDeviceModel model;
    /** Where the MSI capability sits (see {@link PciRegs#msiCapOffset}). */
    private final int msiOffset;
    private final byte[] powerOn;
    /** The command register as last written, for lock-free readers. */
    private volatile int command;

    public PciConfigSpace(PciDeviceModel model, boolean multifunction) {
        this.model = model;
        this.msiOffset = PciRegs.msiCapOffset(model.isPcie());
        int size = model.isPcie() ? 4096 : 256;
        bytes = new byte[size];
        writeMask = new byte[size];
        PciIdentity id = model.identity();
        put16(VENDOR_ID, id.vendorId());
        put16(DEVICE_ID, id.deviceId());
        bytes[REVISION_ID] = (byte) id.revision();
        put16(CLASS_PROG, id.classCode() & 0xffff);
        bytes[CLASS_PROG + 2] = (byte) (id.classCode() >>> 16);
        bytes[HEADER_TYPE] = (byte) (multifunction ? HEADER_TYPE_MULTIFUNCTION : 0);
        put16(SUBSYSTEM_VENDOR_ID, id.subsystemVendorId());
        put16(SUBSYSTEM_ID, id.subsystemId());
        bytes[INTERRUPT_PIN] = (byte) model.interruptPin();
        mask16(COMMAND, COMMAND_IO | COMMAND_MEMORY | COMMAND_MASTER | COMMAND_PARITY | COMMAND_SERR
                | COMMAND_INTX_DISABLE);
        writeMask[CACHE_LINE_SIZE] = (byte) 0xff;
        writeMask[LATENCY_TIMER] = (byte) 0xff;
        writeMask[INTERRUPT_LINE] = (byte) 0xff;
        for (BarSpec bar : model.bars()) {
            if (barByIndex[bar.index()] != null || (bar.kind() == BarSpec.Kind.MEM64 && barByIndex[bar.index() + 1] != null)) {
                throw new IllegalArgumentException("BAR" + bar.index() + " declared twice for " + id.ids());
            }
            barByIndex[bar.index()] = bar;
            barSizes[bar.index()] = bar.size();
            if (bar.kind() == BarSpec.Kind.MEM64) {
                barByIndex[bar.index() + 1] = bar;
            }
            put32(BASE_ADDRESS_0 + 4 * bar.index(), bar.flagBits());
        }
        int next = 0;
        int[] chain = new int[3];
        int n = 0;
        if (model.isPcie()) {
            chain[n++] = CAP_EXP_OFFSET;
        }
        if (model.msiVectors() > 0) {
            chain[n++] = msiOffset;
        }
        if (model.msix() != null) {
            chain[n++] = CAP_MSIX_OFFSET;
        }
        for (int i = n - 1; i >= 0; i--) {
            int at = chain[i];
            bytes[at + 1] = (byte) next;
            next = at;
        }
        if (n > 0) {
            bytes[CAPABILITY_LIST] = (byte) next;
            put16(STATUS, STATUS_CAP_LIST);
        }
        if (model.isPcie()) {
            bytes[CAP_EXP_OFFSET] = (byte) CAP_ID_EXP;
            put16(CAP_EXP_OFFSET + 2, 0x0002); // version 2, PCI Express endpoint
        }
        if (model.msiVectors() > 0) {
            int v = model.msiVectors();
            if (Integer.bitCount(v) != 1 || v > 32) {
                throw new IllegalArgumentException("MSI vector count " + v + " is not 1, 2, 4, 8, 16 or 32");
            }
            bytes[msiOffset] = (byte) CAP_ID_MSI;
            int mmc = Integer.numberOfTrailingZeros(v);
            put16(msiOffset + 2, MSI_FLAGS_64BIT | mmc << 1);
            mask16(msiOffset + 2, MSI_FLAGS_ENABLE | MSI_FLAGS_QSIZE);
            mask32(msiOffset + 4, 0xffff_fffc);
            mask32(msiOffset + 8, 0xffff_ffff);
            mask16(msiOffset + 12, 0xffff);
        }
        MsixSpec msix = model.msix();
        if (msix != null) {
            bytes[CAP_MSIX_OFFSET] = (byte) CAP_ID_MSIX;
            put16(CAP_MSIX_OFFSET + 2, msix.tableSize() - 1);
            mask16(CAP_MSIX_OFFSET + 2, MSIX_FLAGS_ENABLE | MSIX_FLAGS_MASKALL);
            put32(CAP_MSIX_OFFSET + 4, (int) msix.tableOffset() | msix.tableBar());
            put32(CAP_MSIX_OFFSET + 8, (int) msix.pbaOffset() | msix.pbaBar());
        }
        PasidSpec pasid = model.pasid();
        if (pasid != null && model.isPcie()) {
            put32(PasidSpec.ATS_OFFSET, PasidSpec.EXT_CAP_ID_ATS | 1 << 16 | PasidSpec.PASID_OFFSET << 20);
            put16(PasidSpec.ATS_OFFSET + 4, 1 << 5); // page aligned requests, queue depth 0 (32)
            mask16(PasidSpec.ATS_OFFSET + 6, PasidSpec.ATS_CTRL_ENABLE | 0x1f);
            put32(PasidSpec.PASID_OFFSET, PasidSpec.EXT_CAP_ID_PASID | 1 << 16 | (pasid.pri() ? PasidSpec.PRI_OFFSET : 0) << 20);
            put16(PasidSpec.PASID_OFFSET + 4, (pasid.exec() ? 2 : 0) | (pasid.priv() ? 4 : 0) | pasid.widthBits() << 8);
            mask16(PasidSpec.PASID_OFFSET + 6, 0x7);
            if (pasid.pri()) {
                put32(PasidSpec.PRI_OFFSET, PasidSpec.EXT_CAP_ID_PRI | 1 << 16);
                mask16(PasidSpec.PRI_OFFSET + 4, PasidSpec.PRI_CTRL_ENABLE);
                put16(PasidSpec.PRI_OFFSET + 6, 1 << 8 | 1 << 15); // stopped, PRG response PASID required
                put32(PasidSpec.PRI_OFFSET + 8, pasid.prCapacity());
                mask32(PasidSpec.PRI_OFFSET + 12, 0xffff_ffff);
            }
        }
        powerOn = bytes.clone();
        publishCommand();
    }

    /** 256 or 4096. */
    public int size() {
        return bytes.length;
    }

    /** Reads {@code size} (1, 2, 4) bytes at {@code offset}, little-endian as PCI is. */
    public int read(int offset, int size) {
        checkAccess("read", offset, size);
        int v = 0;
        for (int i = size - 1; i >= 0; i--) {
            v = v << 8 | (bytes[offset + i] & 0xff);
        }
        return v;
    }

    /** Writes {@code size} (1, 2, 4) bytes at {@code offset}, honouring each register's rules. */
    public void write(int offset, int size, int value) {
        checkAccess("write", offset, size);
        for (int i = 0; i < size; i++) {
            int at = offset + i;
            byte b = (byte) (value >>> (8 * i));
            if (at >= BASE_ADDRESS_0 && at < BASE_ADDRESS_0 + 24) {
                continue; // handled below, a register at a time
            }
            bytes[at] = (byte) ((bytes[at] & ~writeMask[at]) | (b & writeMask[at]));
        }
        int lo = Math.max(offset, BASE_ADDRESS_0);
        int hi = Math.min(offset + size, BASE_ADDRESS_0 + 24);
        for (int at = lo; at < hi; at++) {
            writeBarByte(at, (byte) (value >>> (8 * (at - offset))));
        }
        if (offset < COMMAND + 2 && COMMAND < offset + size) {
            publishCommand();
        }
    }

    private void writeBarByte(int at, byte b) {
        int reg = (at - BASE_ADDRESS_0) / 4;
        BarSpec bar = barByIndex[reg];
        if (bar == null) {
            return; // unimplemented BAR reads as zero
        }
        bytes[at] = b;
        int base = BASE_ADDRESS_0 + 4 * reg;
        long size = bar.size();
        int raw = get32(base);
        int masked;
        if (bar.kind() == BarSpec.Kind.MEM64 && reg == bar.index() + 1) {
            masked = raw & (int) (~(size - 1) >>> 32);
        } else {
            masked = (raw & (int) ~(size - 1)) & (bar.isMemory() ? ~0xf : ~0x3) | bar.flagBits();
        }
        put32(base, masked);
    }

    /** The address a BAR is programmed with (type bits cleared), unsigned. */
    public long barAddress(int index) {
        BarSpec bar = barByIndex[index];
        if (bar == null || bar.index() != index) {
            return 0;
        }
        long lo = get32(BASE_ADDRESS_0 + 4 * index) & 0xffff_ffffL & (bar.isMemory() ? ~0xfL : ~0x3L);
        if (bar.kind() == BarSpec.Kind.MEM64) {
            lo |= (get32(BASE_ADDRESS_0 + 4 * index + 4) & 0xffff_ffffL) << 32;
        }
        return lo;
    }

    public int command() {
        return command;
    }

    private void publishCommand() {
        command = get16(COMMAND);
    }

    public boolean memoryDecode() {
        return (command() & COMMAND_MEMORY) != 0;
    }

    public boolean ioDecode() {
        return (command() & COMMAND_IO) != 0;
    }

    public boolean busMaster() {
        return (command() & COMMAND_MASTER) != 0;
    }

    public boolean intxDisabled() {
        return (command() & COMMAND_INTX_DISABLE) != 0;
    }

    /** Sets or clears the status register's interrupt bit (read-only to software). */
    public void setInterruptStatus(boolean pending) {
        int s = get16(STATUS);
        put16(STATUS, pending ? s | STATUS_INTERRUPT : s & ~STATUS_INTERRUPT);
    }

    /** MSI control word, or 0 without MSI. */
    public int msiControl() {
        return model.msiVectors() > 0 ? get16(msiOffset + 2) : 0;
    }

    /** Sets the MSI enable bit and multiple-message-enable (as the host kernel does on enable). */
    public void setMsiEnabled(boolean enabled, int vectors) {
        if (model.msiVectors() == 0) {
            return;
        }
        int ctl = get16(msiOffset + 2) & ~(MSI_FLAGS_ENABLE | MSI_FLAGS_QSIZE);
        if (enabled) {
            ctl |= MSI_FLAGS_ENABLE | Integer.numberOfTrailingZeros(Integer.highestOneBit(Math.max(1, vectors))) << 4;
        }
        put16(msiOffset + 2, ctl);
    }

    /** MSI-X control word, or 0 without MSI-X. */
    public int msixControl() {
        return model.msix() != null ? get16(CAP_MSIX_OFFSET + 2) : 0;
    }

    public void setMsixEnabled(boolean enabled) {
        if (model.msix() == null) {
            return;
        }
        int ctl = get16(CAP_MSIX_OFFSET + 2) & ~MSIX_FLAGS_ENABLE;
        put16(CAP_MSIX_OFFSET + 2, enabled ? ctl | MSIX_FLAGS_ENABLE : ctl);
    }

    /** A copy of the current bytes (pci_save_state). */
    public byte[] save() {
        return bytes.clone();
    }

    /** Puts back bytes from {@link #save()} (pci_restore_state). */
    public void restore(byte[] saved) {
        if (saved.length != bytes.length) {
            throw new IllegalArgumentException("config restore: " + saved.length + " bytes for a " + bytes.length + "-byte space");
        }
        System.arraycopy(saved, 0, bytes, 0, bytes.length);
        publishCommand();
    }

    /** Power-on values (after a reset without restore). */
    public void resetToPowerOn() {
        System.arraycopy(powerOn, 0, bytes, 0, bytes.length);
        publishCommand();
    }

    private void checkAccess(String op, int offset, int size) {
        if ((size != 1 && size != 2 && size != 4) || offset < 0 || offset + size > bytes.length
                || (offset & (size - 1)) != 0) {
            throw new IllegalArgumentException("config " + op + " of " + size + " bytes at 0x" + Integer.toHexString(offset)
                    + " is not an aligned 1/2/4-byte access inside " + bytes.length + " bytes");
        }
    }

    private int get16(int at) {
        return (bytes[at] & 0xff) | (bytes[at + 1] & 0xff) << 8;
    }

    private int get32(int at) {
        return get16(at) | get16(at + 2) << 16;
    }

    private void put16(int at, int v) {
        bytes[at] = (byte) v;
        bytes[at + 1] = (byte) (v >>> 8);
    }

    private void put32(int at, int v) {
        put16(at, v);
        put16(at + 2, v >>> 16);
    }

    private void mask16(int at, int m) {
        writeMask[at] |= (byte) m;
        writeMask[at + 1] |= (byte) (m >>> 8);
    }

    private void mask32(int at, int m) {
        mask16(at, m);
        mask16(at + 2, m >>> 16);
    }

    @Override
    public String toString() {
        return "PciConfigSpace[" + model.identity().ids() + ", " + bytes.length + " bytes, cmd=0x"
                + Integer.toHexString(command()) + ", bars=" + Arrays.toString(barSizes) + "]";
    }
}
