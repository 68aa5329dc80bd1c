package org.jvmm.cli;

/**
 * Bad user input on the command line: the message starts with the option and the value as given
 * (e.g. {@code -kernel /tmp: is a directory, not an ELF image}). The command exits with status 2.
 */
final class UsageException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
