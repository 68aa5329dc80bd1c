package org.jvmm.kvm.soft.spapr;

import java.util.Arrays;
import java.util.List;
import org.jvmm.kvm.spapr.SpaprTceCreate64;

/**
 * A VM's TCE tables by LIOBN (kvm->arch.spapr_tce_tables): a small array published on change and
 * searched lock-free by the hypercall path (a VM has a handful of LIOBNs).
 *
 * <p>Changes are made by the VM under its own monitor.
 */
public final class KvmTceTables {
    private volatile KvmTceTable[] tables = new KvmTceTable[0];

    public KvmTceTable get(long liobn) {
        for (KvmTceTable t : tables) {
            if (t.liobn() == liobn) {
                return t;
            }
        }
        return null;
    }

    public synchronized KvmTceTable create(SpaprTceCreate64 args, Runnable onClose) {
        KvmTceTable t = new KvmTceTable(args, onClose);
        KvmTceTable[] next = Arrays.copyOf(tables, tables.length + 1);
        next[tables.length] = t;
        tables = next;
        return t;
    }

    public void setFd(KvmTceTable t, int fd) {
        t.setFd(fd);
    }

    public synchronized void remove(KvmTceTable t) {
        tables = Arrays.stream(tables).filter(x -> x != t).toArray(KvmTceTable[]::new);
    }

    public List<KvmTceTable> all() {
        return List.of(tables);
    }
}
