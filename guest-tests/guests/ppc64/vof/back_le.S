/*
 * Assembled big-endian: where the client interface returns to when the little-endian guest called
 * it in big-endian mode (ci_call in start.S): back to the guest's MSR (r31) at its address (r30).
 */
        .text
        mtsrr1  31
        mtsrr0  30
        rfid
