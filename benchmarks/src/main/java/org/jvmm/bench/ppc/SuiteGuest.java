package org.jvmm.bench.ppc;

import java.util.List;
import org.jvmm.kvm.soft.ppc.PpcExit;

/**
 * The benchmark suite guest (src/main/ppc-suite, built by build.sh) loaded into 16 MiB of guest RAM
 * on a soft PPC64 CPU, with r3 selecting one kernel. The guest calls that kernel forever, each call
 * on the previous call's result, and ticks once before the first call and after every call (see
 * {@link TickingGuest}).
 */
final class SuiteGuest extends TickingGuest {
    /** The kernels by number, as in suite.h; the Linux binary takes the same names. */
    static final List<String> KERNELS = List.of("crc32", "matmul", "qsort", "memops", "branchy");

    SuiteGuest(String kernel) {
        super("/ppc/suite-guest-le.bin");
        int which = KERNELS.indexOf(kernel);
        if (which < 0) {
            close();
            throw new IllegalArgumentException("SuiteGuest: unknown kernel '" + kernel + "' (one of " + KERNELS + ")");
        }
        cpu.setGpr(3, which);
    }

    /**
     * Runs the guest until {@code n} kernel calls are done and returns the last result; the guest
     * instructions they took are {@link #retiredAtLastTick} - {@link #retiredAtFirstTick}.
     */
    long runCalls(long n) {
        exitAtCall = n;
        PpcExit e = cpu.run(Long.MAX_VALUE);
        if (!(e instanceof PpcExit.Hypercall) || calls != n) {
            throw new IllegalStateException("suite guest stopped with " + e + " after " + calls + " calls, at "
                    + cpu.pc());
        }
        return result;
    }
}
