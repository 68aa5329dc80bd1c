package org.jvmm.kvm.elf;

/** An ELF file the loader refuses: the message names the field, its value and what was expected. */
public final class ElfFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ElfFormatException(String message) {
        super(message);
    }
}
