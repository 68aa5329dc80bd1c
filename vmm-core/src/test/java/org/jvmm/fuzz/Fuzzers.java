package org.jvmm.fuzz;

import java.util.List;
import java.util.SplittableRandom;

/** Hands the package-private fuzzers of this package to the test classes that run them. */
public final class Fuzzers {
    private Fuzzers() {
    }

    public static Fuzzer<byte[]> qtest() {
        return new QtestFuzzer();
    }

    public static Fuzzer<?> x86Exits() {
        return new X86ExitFuzzer();
    }

    /** Random x86 exit lines, in the x86 exit fuzzer's case format. */
    public static List<String> x86ExitLines(SplittableRandom r) {
        return new X86ExitFuzzer().generate(r);
    }

    /** Parses an x86 exit fuzzer case file. */
    public static List<String> x86ExitLines(byte[] file) {
        return new X86ExitFuzzer().parse(file);
    }

    /**
     * The accesses of x86 exit lines as a real guest makes them, each {@code {kind, size, address,
     * value}} (kind 0 MMIO read, 1 MMIO write, 2 IN, 3 OUT); see X86ExitFuzzer.guestTable.
     */
    public static List<long[]> x86GuestTable(List<String> lines, long ramSize, long scratch) {
        return X86ExitFuzzer.guestTable(lines, ramSize, scratch).stream()
                .map(a -> new long[] {a.kind(), a.size(), a.address(), a.value()}).toList();
    }

    public static Fuzzer<?> pseriesGuest() {
        return new PseriesGuestFuzzer();
    }
}
