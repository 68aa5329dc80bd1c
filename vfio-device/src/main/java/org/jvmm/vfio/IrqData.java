package org.jvmm.vfio;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.jvmm.host.sys.EventFd;
import org.jvmm.vfio.uapi.VfioUapi;

/**
 * The data[] of struct vfio_irq_set, by type: none, one bool per vector, or one eventfd per vector
 * (null stands for fd -1: tear the trigger down).
 */
public sealed interface IrqData {

    /** The VFIO_IRQ_SET_DATA_* bit. */
    int typeFlag();

    /** How many entries the data carries (0 for none). */
    int length();

    /** VFIO_IRQ_SET_DATA_NONE. */
    record None() implements IrqData {
        public int typeFlag() {
            return VfioUapi.VFIO_IRQ_SET_DATA_NONE;
        }

        public int length() {
            return 0;
        }
    }

    /** VFIO_IRQ_SET_DATA_BOOL: one byte per vector. */
    record Bools(boolean[] values) implements IrqData {
        public Bools {
            values = values.clone();
        }

        public boolean get(int i) {
            return values[i];
        }

        public int typeFlag() {
            return VfioUapi.VFIO_IRQ_SET_DATA_BOOL;
        }

        public int length() {
            return values.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bools b && Arrays.equals(values, b.values);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(values);
        }
    }

    /** VFIO_IRQ_SET_DATA_EVENTFD: one eventfd per vector, null for -1. */
    record EventFds(List<EventFd> fds) implements IrqData {
        public EventFds {
            fds = Collections.unmodifiableList(new ArrayList<>(fds));
        }

        public int typeFlag() {
            return VfioUapi.VFIO_IRQ_SET_DATA_EVENTFD;
        }

        public int length() {
            return fds.size();
        }
    }

    static IrqData none() {
        return new None();
    }

    static IrqData bools(boolean... values) {
        return new Bools(values);
    }

    static IrqData eventfds(EventFd... fds) {
        return new EventFds(Arrays.asList(fds));
    }
}
