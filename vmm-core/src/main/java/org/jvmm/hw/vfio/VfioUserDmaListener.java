package org.jvmm.hw.vfio;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import org.jvmm.memory.MemoryListener;
import org.jvmm.memory.MemoryRegionSection;
import org.jvmm.memory.RamRegion;
import org.jvmm.vfiouser.VfioUserClient;
import org.jvmm.vfiouser.VfioUserPayloads.DmaMap;

/**
 * Keeps a vfio-user server's DMA mappings equal to the guest's RAM, as QEMU's vfio-user client
 * does through the same listener as TYPE1 (hw/vfio/listener.c): each RAM section, trimmed to
 * whole pages, is sent as DMA_MAP with iova = its guest-physical address, read-only for ROM; its
 * removal sends DMA_UNMAP of the same range.
 *
 * <p>Guest RAM is memfd-backed, so a section normally travels with its memfd and the offset of
 * the section in it: the server maps the same memory and its device DMA needs no message. A
 * section without a memfd (device memory), and every section when {@code messagesOnly} is set,
 * is mapped without an fd: the server then moves each DMA with DMA_READ / DMA_WRITE, which this
 * listener answers ({@link VfioUserClient.DmaTarget}) against the same sections.
 *
 * <p>A refusal cannot be thrown into the memory core: it is recorded ({@link #errors()}) and the
 * section stays unmapped for the device. Runs under the memory topology lock; DMA_READ/WRITE are
 * answered from whichever thread is waiting on the connection, without that lock.
 */
public final class VfioUserDmaListener implements MemoryListener, VfioUserClient.DmaTarget {
    private static final long PAGE = 4096;

    private final VfioUserClient client;
    private final boolean messagesOnly;
    private final List<String> errors = new ArrayList<>();
    /** The ranges mapped without an fd, by guest-physical start: what DMA_READ / DMA_WRITE reach. */
    private final ConcurrentSkipListMap<Long, Window> windows = new ConcurrentSkipListMap<>(Long::compareUnsigned);
    private long maps;
    private long unmaps;
    private final java.util.concurrent.atomic.LongAdder bytesToMemory = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder bytesFromMemory = new java.util.concurrent.atomic.LongAdder();

    private record Window(long start, MemorySegment memory, boolean readOnly) {
        long last() {
            return start + memory.byteSize() - 1;
        }
    }

    /** @param messagesOnly map every section without an fd (the server's DMA goes by messages) */
    public VfioUserDmaListener(VfioUserClient client, boolean messagesOnly) {
        this.client = client;
        this.messagesOnly = messagesOnly;
        client.dmaTarget(this);
    }

    /** After the accelerator's listener, as QEMU's device-backend priority. */
    @Override
    public int priority() {
        return 10;
    }

    @Override
    public synchronized void regionAdd(MemoryRegionSection s) {
        MemoryRegionSection a = s.isRam() ? s.pageAligned(PAGE) : null;
        if (a == null || client.gone()) {
            return;
        }
        RamRegion ram = (RamRegion) a.region();
        long gpa = a.offsetWithinAddressSpace().value();
        int flags = DmaMap.FLAG_READ | (a.isReadOnly() ? 0 : DmaMap.FLAG_WRITE);
        int fd = messagesOnly ? -1 : ram.memfd();
        try {
            client.dmaMap(flags, fd < 0 ? 0 : a.offsetWithinRegion(), gpa, a.size(), fd);
            maps++;
            if (fd < 0) {
                windows.put(gpa, new Window(gpa, ram.segment().asSlice(a.offsetWithinRegion(), a.size()), a.isReadOnly()));
            }
        } catch (VfioUserClient.Refused e) {
            errors.add("DMA_MAP 0x" + Long.toHexString(gpa) + "+0x" + Long.toHexString(a.size()) + ": " + e.getMessage());
        } catch (IOException e) {
            client.lost(e);
        }
    }

    @Override
    public synchronized void regionDel(MemoryRegionSection s) {
        MemoryRegionSection a = s.isRam() ? s.pageAligned(PAGE) : null;
        if (a == null) {
            return;
        }
        long gpa = a.offsetWithinAddressSpace().value();
        windows.remove(gpa);
        if (client.gone()) {
            return;
        }
        try {
            client.dmaUnmap(gpa, a.size());
            unmaps++;
        } catch (VfioUserClient.Refused e) {
            errors.add("DMA_UNMAP 0x" + Long.toHexString(gpa) + "+0x" + Long.toHexString(a.size()) + ": " + e.getMessage());
        } catch (IOException e) {
            client.lost(e);
        }
    }

    private Window window(long address, long count) {
        Map.Entry<Long, Window> e = windows.floorEntry(address);
        if (e == null || count == 0) {
            return null;
        }
        Window w = e.getValue();
        long end = address + count - 1;
        if (Long.compareUnsigned(end, address) < 0 || Long.compareUnsigned(end, w.last()) > 0) {
            return null;
        }
        return w;
    }

    /** DMA_READ: guest RAM into {@code into}; false when the range is not all in one fd-less window. */
    @Override
    public boolean read(long address, byte[] into) {
        Window w = window(address, into.length);
        if (w == null) {
            return false;
        }
        MemorySegment.copy(w.memory(), ValueLayout.JAVA_BYTE, address - w.start(), into, 0, into.length);
        bytesFromMemory.add(into.length);
        return true;
    }

    /** DMA_WRITE: {@code data} into guest RAM; false outside a window or into ROM. */
    @Override
    public boolean write(long address, byte[] data) {
        Window w = window(address, data.length);
        if (w == null || w.readOnly()) {
            return false;
        }
        MemorySegment.copy(data, 0, w.memory(), ValueLayout.JAVA_BYTE, address - w.start(), data.length);
        bytesToMemory.add(data.length);
        return true;
    }

    /** Bytes the server's DMA_WRITE messages put into guest memory. */
    public long bytesToMemory() {
        return bytesToMemory.sum();
    }

    /** Bytes the server's DMA_READ messages took from guest memory. */
    public long bytesFromMemory() {
        return bytesFromMemory.sum();
    }

    /** DMA_MAP calls the server accepted. */
    public synchronized long maps() {
        return maps;
    }

    /** DMA_UNMAP calls the server accepted. */
    public synchronized long unmaps() {
        return unmaps;
    }

    /** The refusals so far, each naming the command, the range and the errno. */
    public synchronized List<String> errors() {
        return List.copyOf(errors);
    }
}
