package org.jvmm.machine.config;

/**
 * An mdev given to the guest ({@code -device vfio-pci,sysfsdev=/sys/bus/mdev/devices/UUID}).
 *
 * @param uuid the mdev's name (lowercase, as the kernel names it)
 * @param slot the guest PCI slot on bus 0, 1 to 31
 * @param display QEMU's {@code display=}: off (default), on (must have one), auto
 * @param origin the option as the user gave it, for messages
 */
public record VfioMdevConfig(String uuid, int slot, Display display, String origin) {

    /** QEMU's display property of vfio-pci. */
    public enum Display {
        OFF, ON, AUTO;

        /** off, on or auto; IllegalArgumentException naming {@code origin} and the value otherwise. */
        public static Display parse(String text, String origin) {
            return switch (text) {
                case "off" -> OFF;
                case "on" -> ON;
                case "auto" -> AUTO;
                default -> throw new IllegalArgumentException(origin + ": Parameter 'display' expects 'on', 'off' or 'auto', not '"
                        + text + "'");
            };
        }
    }

    /** @throws IllegalArgumentException naming the origin and the slot, when it is not 1 to 31 */
    public VfioMdevConfig {
        if (uuid == null || display == null || origin == null) {
            throw new IllegalArgumentException("vfio mdev config: uuid, display and origin are required");
        }
        if (slot < 1 || slot > VfioPciConfig.SLOT_MAX) {
            throw new IllegalArgumentException(origin + ": Parameter 'addr' expects a PCI slot from 1 to " + VfioPciConfig.SLOT_MAX
                    + " (0 is the host bridge), not " + slot);
        }
    }
}
