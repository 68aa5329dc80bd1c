package org.jvmm.fuzz;

/**
 * Input classes the fuzzers leave out while a known defect is being fixed on another branch. Each
 * flag names the defect; a fuzzer checks the flag where it would generate such an input. Once the
 * fix is merged, set the flag to true (and then remove it): the input class is generated again.
 */
final class KnownDefects {
    private KnownDefects() {
    }

    // TODO(issue 10): remove once the unsigned AddressSpace fix is merged: guest accesses at
    // addresses >= 0x8000000000000000 recurse to StackOverflowError in AddressSpace.
    static final boolean TOP_BIT_ADDRESSES_FIXED = false;

    /**
     * Whether {@code v}, used as an address or as any guest-supplied number that may become one
     * (an RTAS buffer, a TCE, a DMA address), stays clear of the top-bit defect: below 2^62, so
     * that no access starting there straddles into the top half either.
     */
    static boolean clearOfTopBit(long v) {
        return TOP_BIT_ADDRESSES_FIXED || Long.compareUnsigned(v, 1L << 62) < 0;
    }

    // TODO(issue 10): remove once EduDevice.runDma checks its range without overflow: an edu DMA
    // with a huge count throws IndexOutOfBoundsException through the BAR write.
    static final boolean EDU_HUGE_DMA_FIXED = false;

    // TODO(issue 10): remove once qtest answers a line of invalid UTF-8 with ERR (today a file
    // script with one stops the session: MalformedInputException).
    static final boolean QTEST_INVALID_UTF8_FIXED = false;

    // TODO(issue 10): remove once qtest ERR lines carry messages, not Java class names.
    static final boolean QTEST_ERR_WITHOUT_CLASS_NAMES_FIXED = false;

    // TODO(issue 10): remove once RTAS bounds nargs/nret and the buffer: `rtas NAME 1048576`
    // zeroes up to 4 MiB of guest RAM.
    static final boolean RTAS_NRET_BOUNDED = false;
}
