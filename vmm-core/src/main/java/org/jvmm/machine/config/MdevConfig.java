package org.jvmm.machine.config;

import java.util.Locale;
import java.util.UUID;

/**
 * An mdev to create on the simulated host before the machine starts, as mdevctl or an
 * {@code echo UUID > .../mdev_supported_types/TYPE/create} would ({@code -mdev TYPE,uuid=UUID}).
 *
 * @param type the type directory, {@code <parent driver>-<type>}: mtty-1, mtty-2, mbochs-small,
 *     mbochs-medium, mbochs-large, medu-pin, medu-rw
 * @param uuid the mdev's name
 * @param front which management interface creates it: mainline sysfs (the default) or seed 003's
 *     {@code vgpu_create} (A-0a)
 * @param origin the option as the user gave it, for messages
 */
public record MdevConfig(String type, UUID uuid, Front front, String origin) {

    /** The management interface that creates the mdev. */
    public enum Front {
        /** {@code mdev_supported_types/TYPE/create} (Linux 4.10 on). */
        MAINLINE,
        /** Seed 003's {@code vgpu_create} of {@code UUID:0:TYPE_ID} (never merged). */
        SEED;

        /** mainline or seed; IllegalArgumentException naming {@code origin} and the value otherwise. */
        public static Front parse(String text, String origin) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "mainline" -> MAINLINE;
                case "seed" -> SEED;
                default -> throw new IllegalArgumentException(origin + ": Parameter 'front' expects 'mainline' or 'seed', not '"
                        + text + "'");
            };
        }
    }

    /** @throws IllegalArgumentException naming the origin: a type without a {@code driver-} prefix */
    public MdevConfig {
        if (type == null || uuid == null || front == null || origin == null) {
            throw new IllegalArgumentException("mdev config: type, uuid, front and origin are required");
        }
        if (type.indexOf('-') <= 0 || type.endsWith("-")) {
            throw new IllegalArgumentException(origin + ": '" + type + "' is not an mdev type (PARENT-TYPE, e.g. mtty-2)");
        }
    }

    /** The parent driver's name: the type directory's prefix ({@code mtty} of {@code mtty-2}). */
    public String parentDriver() {
        return type.substring(0, type.indexOf('-'));
    }

    /** The type's own sysfs name ({@code 2} of {@code mtty-2}), seed 003's type ID. */
    public String typeId() {
        return type.substring(type.indexOf('-') + 1);
    }

    /**
     * A UUID in 8-4-4-4-12 hex form, any case (the kernel's uuid_parse); IllegalArgumentException
     * naming {@code origin} and the value otherwise.
     */
    public static UUID parseUuid(String text, String origin) {
        if (text.length() == 36) {
            try {
                UUID u = UUID.fromString(text);
                if (u.toString().equalsIgnoreCase(text)) {
                    return u;
                }
            } catch (IllegalArgumentException e) {
                // fall through to the message below
            }
        }
        throw new IllegalArgumentException(origin + ": Parameter 'uuid' expects a UUID (8-4-4-4-12 hex digits), not '"
                + text + "'");
    }
}
