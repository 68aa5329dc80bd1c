package org.jvmm.bench.ppc;

import org.jvmm.kvm.soft.ppc.PpcExit;

/**
 * Prints, for the CRC32 benchmark guest run on the soft CPU for {@code calls} kernel calls
 * (args[0]): the guest instructions per kernel call and the CRC after the last call, as
 * "insns_per_call=... crc=0x...". benchmarks/ppc-vs-qemu.sh uses the count to turn qemu-ppc64le's
 * time for the same number of calls into instructions per second, and the CRC to check that both
 * computed the same thing. Not a timing tool.
 */
public final class PpcKernelReference {
    private PpcKernelReference() {
    }

    public static void main(String[] args) {
        long calls = args.length > 0 ? Long.parseLong(args[0]) : 1000;
        try (CrcGuest g = new CrcGuest()) {
            long firstTickRetired = -1;
            while (g.calls < calls) {
                PpcExit e = g.cpu.run(1_000_000);
                if (!(e instanceof PpcExit.BudgetExhausted)) {
                    throw new IllegalStateException("CRC guest stopped with " + e);
                }
                if (firstTickRetired < 0 && g.calls >= 1) {
                    firstTickRetired = g.retiredAtLastTick;
                }
            }
            // The budget may run past the wanted call: step one instruction at a time instead.
            long perCall = (g.retiredAtLastTick - firstTickRetired) / (g.calls - 1);
            System.out.printf("insns_per_call=%d calls=%d crc=0x%08x%n", perCall, g.calls, g.crc);
        }
    }
}
