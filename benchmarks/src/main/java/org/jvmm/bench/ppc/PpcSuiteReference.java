package org.jvmm.bench.ppc;

/**
 * Runs one kernel of the benchmark suite guest on the soft CPU for {@code calls} calls
 * (args: KERNEL CALLS) and prints "kernel=... insns=... calls=... result=0x...": the guest
 * instructions the calls took (from the tick before the first call to the tick after the last)
 * and the last result. benchmarks/ppc-suite-vs-qemu.sh uses the count to turn qemu-ppc64le's time
 * for the same calls into instructions per second, and the result to check that both ran the same
 * computation. It measures no time itself.
 */
public final class PpcSuiteReference {
    private PpcSuiteReference() {
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            throw new IllegalArgumentException("PpcSuiteReference: usage KERNEL CALLS, kernels " + SuiteGuest.KERNELS);
        }
        long calls = Long.parseLong(args[1]);
        if (calls < 1) {
            throw new IllegalArgumentException("PpcSuiteReference: calls " + calls + " must be at least 1");
        }
        try (SuiteGuest g = new SuiteGuest(args[0])) {
            long result = g.runCalls(calls);
            System.out.printf("kernel=%s insns=%d calls=%d result=0x%016x%n", args[0],
                    g.retiredAtLastTick - g.retiredAtFirstTick, calls, result);
        }
    }
}
