package org.jvmm.bench.ppc;

/**
 * The CRC32 benchmark guest (src/main/ppc-kernel): its ticks report the CRC as the result. See
 * {@link TickingGuest}.
 */
final class CrcGuest extends TickingGuest {

    CrcGuest() {
        super("/ppc/crc-guest-le.bin");
    }
}
