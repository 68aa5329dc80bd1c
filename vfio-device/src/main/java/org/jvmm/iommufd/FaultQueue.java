package org.jvmm.iommufd;

import static org.jvmm.iommufd.IommufdUapi.*;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.jvmm.host.Errno;
import org.jvmm.host.ErrnoException;
import org.jvmm.iommu.AccessKind;
import org.jvmm.iommu.IopfHandler;
import org.jvmm.iommu.PageRequest;
import org.jvmm.iommu.PageResponseCode;
import org.jvmm.iommufd.IommufdStructs.PageResponse;
import org.jvmm.iommufd.IommufdStructs.Pgfault;

/**
 * A fault object (IOMMU_FAULT_QUEUE_ALLOC; Linux drivers/iommu/iommufd/eventq.c): page requests
 * of the HWPTs allocated with it queue here, grouped by page request group, and user space reads
 * them from its file as {@code struct iommu_hwpt_pgfault} records and answers each group by
 * writing a {@code struct iommu_hwpt_page_response} with the group's cookie.
 *
 * <p>File rules: a read or write must start at offset 0 and move a whole number of records
 * (ESPIPE otherwise); a read returns whole groups only (a group that does not fit stays queued)
 * and 0 when nothing is queued; each group read gets a cookie (the lowest free number from 0),
 * shared by its records. A response code other than SUCCESS (0) or INVALID (1) is EINVAL, an
 * unknown cookie EINVAL; the write stops at the first bad record and returns the bytes consumed
 * before it, or the error when none were. When a device's attachment goes away or is replaced,
 * its groups still queued or awaiting an answer are answered INVALID by the kernel
 * ({@link #autoRespond}), so the device is never left waiting.
 *
 * <p>Thread-safe: page requests arrive from device threads, reads and writes from user threads;
 * the device's answer is delivered after the lock is released.
 */
public final class FaultQueue extends IommufdObject {
    private final Iommufd ctx;
    private final int fd;
    private final ArrayDeque<Group> deliver = new ArrayDeque<>();
    private final TreeMap<Integer, Group> responding = new TreeMap<>();
    private final Map<Long, Group> partial = new HashMap<>();
    /** HWPTs allocated with this fault object. Guarded by the context lock. */
    int users;
    private long requests;
    private long autoResponses;

    private static final class Group {
        final int devId;
        final Hwpt hwpt;
        final int pasid;
        final List<PageRequest> faults = new ArrayList<>();
        Consumer<PageResponseCode> respond;
        int cookie = -1;

        Group(int devId, Hwpt hwpt, int pasid) {
            this.devId = devId;
            this.hwpt = hwpt;
            this.pasid = pasid;
        }
    }

    FaultQueue(int id, int fd, Iommufd ctx) {
        super(id);
        this.fd = fd;
        this.ctx = ctx;
    }

    @Override
    String kind() {
        return "fault";
    }

    @Override
    String busyReason() {
        return users == 0 ? null : users + " HWPT(s) were allocated with it";
    }

    /** The file descriptor number out_fault_fd reported (in the iommufd's file table). */
    public int fd() {
        return fd;
    }

    /** The handler HWPT {@code hwpt} gives its domain: requests are queued with the requester's dev_id. */
    IopfHandler handlerFor(Hwpt hwpt) {
        return (request, respond) -> enqueue(hwpt, request, respond);
    }

    private void enqueue(Hwpt hwpt, PageRequest request, Consumer<PageResponseCode> respond) {
        IommufdDevice dev = ctx.deviceAt(request.device());
        if (dev == null) {
            respond.accept(PageResponseCode.INVALID);
            return;
        }
        int pasid = request.hasPasid() ? request.pasid() : IOMMU_NO_PASID;
        synchronized (this) {
            requests++;
            long key = (long) dev.id() << 32 | request.groupIndex();
            Group g = partial.get(key);
            if (g == null) {
                g = new Group(dev.id(), hwpt, pasid);
            }
            g.faults.add(request);
            if (!request.lastInGroup()) {
                partial.put(key, g);
                return;
            }
            partial.remove(key);
            g.respond = respond;
            deliver.add(g);
            notifyAll();
        }
        Runnable r = onReadable;
        if (r != null) {
            r.run();
        }
    }

    private volatile Runnable onReadable;

    /**
     * Has {@code r} called, without the queue's lock, each time a group becomes readable (what
     * poll(2) on the fault fd tells a VMM's event loop); null for none.
     */
    public void onReadable(Runnable r) {
        onReadable = r;
    }

    /** Page requests received since creation. */
    public synchronized long requests() {
        return requests;
    }

    /** Groups queued, not yet read. */
    public synchronized int pendingGroups() {
        return deliver.size();
    }

    /** Groups read and not yet answered. */
    public synchronized int awaitingResponse() {
        return responding.size();
    }

    /** Groups the kernel answered INVALID because their attachment went away. */
    public synchronized long autoResponses() {
        return autoResponses;
    }

    /** Blocks until a group is queued or {@code millis} pass: true when one is. */
    public synchronized boolean awaitFault(long millis) throws InterruptedException {
        long end = System.currentTimeMillis() + millis;
        while (deliver.isEmpty()) {
            long left = end - System.currentTimeMillis();
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    /** read(fault_fd, buf, count = buf.byteSize()) at file offset {@code offset}: bytes read. */
    public long read(MemorySegment buf, long offset) {
        String op = "read fault fd";
        long count = buf.byteSize();
        if (offset != 0 || count % Pgfault.SIZE != 0) {
            throw new ErrnoException(op, Errno.ESPIPE, "offset " + offset + ", count " + count + ": reads start at 0 and take whole "
                    + Pgfault.SIZE + "-byte records");
        }
        synchronized (this) {
            long done = 0;
            while (!deliver.isEmpty()) {
                Group g = deliver.peek();
                if ((long) g.faults.size() * Pgfault.SIZE > count - done) {
                    break;
                }
                deliver.poll();
                int cookie = 0;
                while (responding.containsKey(cookie)) {
                    cookie++;
                }
                g.cookie = cookie;
                responding.put(cookie, g);
                for (PageRequest r : g.faults) {
                    int flags = (r.hasPasid() ? IOMMU_PGFAULT_FLAGS_PASID_VALID : 0) | (r == g.faults.get(g.faults.size() - 1)
                            ? IOMMU_PGFAULT_FLAGS_LAST_PAGE : 0);
                    int perm = r.access() == AccessKind.WRITE ? IOMMU_PGFAULT_PERM_READ | IOMMU_PGFAULT_PERM_WRITE
                            : IOMMU_PGFAULT_PERM_READ;
                    new Pgfault(flags, g.devId, r.hasPasid() ? r.pasid() : 0, r.groupIndex(), perm, 0, r.addr().value(),
                            (int) Ioas.PAGE_SIZE, cookie).encode(buf.asSlice(done, Pgfault.SIZE));
                    done += Pgfault.SIZE;
                }
            }
            return done;
        }
    }

    /** write(fault_fd, buf, count = buf.byteSize()) at file offset {@code offset}: bytes consumed. */
    public long write(MemorySegment buf, long offset) {
        String op = "write fault fd";
        long count = buf.byteSize();
        if (offset != 0 || count % PageResponse.SIZE != 0) {
            throw new ErrnoException(op, Errno.ESPIPE, "offset " + offset + ", count " + count + ": writes start at 0 and carry whole "
                    + PageResponse.SIZE + "-byte responses");
        }
        List<Group> answered = new ArrayList<>();
        List<PageResponseCode> codes = new ArrayList<>();
        ErrnoException error = null;
        long done = 0;
        synchronized (this) {
            while (done < count) {
                PageResponse r = PageResponse.decode(buf.asSlice(done, PageResponse.SIZE));
                if (r.code() != IOMMUFD_PAGE_RESP_SUCCESS && r.code() != IOMMUFD_PAGE_RESP_INVALID) {
                    error = new ErrnoException(op, Errno.EINVAL, "response code " + r.code() + " is neither SUCCESS (0) nor INVALID (1)");
                    break;
                }
                Group g = responding.remove(r.cookie());
                if (g == null) {
                    error = new ErrnoException(op, Errno.EINVAL, "cookie " + Integer.toUnsignedString(r.cookie())
                            + " names no group awaiting a response");
                    break;
                }
                answered.add(g);
                codes.add(r.code() == IOMMUFD_PAGE_RESP_SUCCESS ? PageResponseCode.SUCCESS : PageResponseCode.INVALID);
                done += PageResponse.SIZE;
            }
        }
        for (int i = 0; i < answered.size(); i++) {
            answered.get(i).respond.accept(codes.get(i));
        }
        if (done == 0 && error != null) {
            throw error;
        }
        return done;
    }

    /** iommufd_auto_response_faults: answers INVALID every group of {@code devId}/{@code pasid} on {@code hwpt}. */
    void autoRespond(int devId, int pasid, Hwpt hwpt) {
        List<Group> out = new ArrayList<>();
        synchronized (this) {
            deliver.removeIf(g -> {
                boolean m = g.devId == devId && g.pasid == pasid && g.hwpt == hwpt;
                if (m) {
                    out.add(g);
                }
                return m;
            });
            responding.values().removeIf(g -> {
                boolean m = g.devId == devId && g.pasid == pasid && g.hwpt == hwpt;
                if (m) {
                    out.add(g);
                }
                return m;
            });
            partial.values().removeIf(g -> g.devId == devId && g.pasid == pasid && g.hwpt == hwpt);
            autoResponses += out.size();
        }
        for (Group g : out) {
            g.respond.accept(PageResponseCode.INVALID);
        }
    }
}
