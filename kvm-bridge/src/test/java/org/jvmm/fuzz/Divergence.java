package org.jvmm.fuzz;

/**
 * Two implementations that must agree did not (a differential fuzzer's finding): counted by the
 * campaign as an escape and, separately, as a divergence.
 */
public final class Divergence extends AssertionError {
    private static final long serialVersionUID = 1L;

    public Divergence(String message) {
        super(message);
    }
}
