package org.jvmm.fuzz;

import java.util.SplittableRandom;

/**
 * One fuzz target: how to make a random case, how to run it, and how a case reads and writes as a
 * file (so a case that found a bug can be committed to the corpus and replayed).
 *
 * <p>{@link #execute} throws for an escape: a Throwable out of the VMM's handling of what the case
 * did, or a violated protocol rule (a command without exactly one answer). Every guest-visible
 * outcome the VMM defines (all-ones, a PAPR status, a program interrupt) returns normally.
 *
 * @param <C> a case
 */
public interface Fuzzer<C> {

    /** The name the campaign reports and the corpus directory is named after. */
    String name();

    /** A new random case drawn from {@code r} only (the same state gives the same case). */
    C generate(SplittableRandom r);

    /** Runs one case; throws on an escape. Called on the campaign's worker thread only. */
    void execute(C c) throws Exception;

    /** The case as the bytes of a corpus file (text for every fuzzer but raw qtest scripts). */
    byte[] render(C c);

    /** A corpus file's bytes back as a case; throws IllegalArgumentException for a malformed file. */
    C parse(byte[] file);

    /**
     * What the cases reached so far, for the summary (e.g. exits by kind, blocks translated), so a
     * run shows it exercised the target and not only its input checks. Empty by default.
     */
    default String stats() {
        return "";
    }

    /** Releases what the fuzzer keeps between cases (called on the worker thread). */
    default void close() {
    }
}
