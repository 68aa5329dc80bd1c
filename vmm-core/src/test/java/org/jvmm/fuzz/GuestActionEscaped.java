package org.jvmm.fuzz;

/** A Throwable out of the machine while it handled one guest action (a line of a case): an escape. */
final class GuestActionEscaped extends Exception {
    private static final long serialVersionUID = 1L;

    GuestActionEscaped(String line, Throwable cause) {
        super("escaped while the machine handled: " + (line.length() > 200 ? line.substring(0, 200) + "..." : line), cause);
    }
}
