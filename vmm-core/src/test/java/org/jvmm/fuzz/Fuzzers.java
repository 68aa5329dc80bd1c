package org.jvmm.fuzz;

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

    public static Fuzzer<?> pseriesGuest() {
        return new PseriesGuestFuzzer();
    }
}
