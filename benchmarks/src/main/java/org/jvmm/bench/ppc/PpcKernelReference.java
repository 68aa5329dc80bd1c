package org.jvmm.bench.ppc;

import org.jvmm.kvm.soft.ppc.PpcExit;

/**
 * Runs the CRC32 benchmark guest on the soft CPU for {@code calls} kernel calls (args[0]) and
 * prints "insns_per_call=... calls=... crc=0x...": the guest instructions one kernel call takes
 * (between the first and the last call's tick) and the CRC after the last call.
 * benchmarks/ppc-vs-qemu.sh uses the count to turn qemu-ppc64le's time for the same calls into
 * instructions per second, and the CRC to check that both ran the same computation. It measures no
 * time itself; the speed figures come from JMH and from the QEMU binary's own clock.
 */
public final class PpcKernelReference {
    private PpcKernelReference() {
    }

    public static void main(String[] args) {
        long calls = args.length > 0 ? Long.parseLong(args[0]) : 1000;
        if (calls < 2) {
            throw new IllegalArgumentException("PpcKernelReference: calls " + calls + " must be at least 2");
        }
        try (CrcGuest g = new CrcGuest()) {
            g.exitAtCall = calls;
            PpcExit e = g.cpu.run(Long.MAX_VALUE);
            if (!(e instanceof PpcExit.Hypercall) || g.calls != calls) {
                throw new IllegalStateException("CRC guest stopped with " + e + " after " + g.calls + " calls");
            }
            long perCall = (g.retiredAtLastTick - g.retiredAtFirstTick) / (calls - 1);
            System.out.printf("insns_per_call=%d calls=%d crc=0x%08x%n", perCall, g.calls, g.result);
        }
    }
}
