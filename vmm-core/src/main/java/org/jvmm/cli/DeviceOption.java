package org.jvmm.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jvmm.pci.PciAddress;
import picocli.CommandLine;

/**
 * A QEMU-style device option: a driver name and comma-separated {@code key=value} properties,
 * e.g. {@code vfio-pci,host=0000:00:03.0,addr=3} or {@code edu,host=0000:00:03.0}. The checks
 * refuse, naming the option as given, what QEMU refuses: an unknown property ("Property
 * 'vfio-pci.bogus' not found") and a value the property does not take ("Parameter 'x-no-mmap'
 * expects 'on' or 'off'").
 *
 * @param text the option's value as given
 */
record DeviceOption(String driver, Map<String, String> properties, String text) {

    static DeviceOption parse(String text) {
        String[] parts = text.split(",", -1);
        if (parts[0].isBlank() || parts[0].contains("=")) {
            throw new CommandLine.TypeConversionException("'" + text + "' does not start with a driver name");
        }
        Map<String, String> props = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq <= 0) {
                throw new CommandLine.TypeConversionException("'" + parts[i] + "' in '" + text + "' is not key=value");
            }
            String key = parts[i].substring(0, eq).toLowerCase(Locale.ROOT);
            if (props.putIfAbsent(key, parts[i].substring(eq + 1)) != null) {
                throw new CommandLine.TypeConversionException("'" + text + "' gives property '" + key + "' twice");
            }
        }
        return new DeviceOption(parts[0], props, text);
    }

    /** The option as the user gave it, for messages: {@code -device vfio-pci,host=...}. */
    String where(String option) {
        return option + " " + text;
    }

    /** Refuses a property not in {@code known}. */
    void checkKnown(String option, List<String> known) {
        for (String key : properties.keySet()) {
            if (!known.contains(key)) {
                throw new UsageException(where(option) + ": Property '" + driver + "." + key + "' not found (known: "
                        + String.join(", ", known) + ")");
            }
        }
    }

    /** The value of a required property. */
    String require(String option, String key) {
        String v = properties.get(key);
        if (v == null) {
            throw new UsageException(where(option) + ": Parameter '" + key + "' is missing");
        }
        return v;
    }

    String get(String key, String fallback) {
        return properties.getOrDefault(key, fallback);
    }

    boolean has(String key) {
        return properties.containsKey(key);
    }

    /** A required PCI address property, DDDD:BB:DD.F. */
    PciAddress pciAddress(String option, String key) {
        String v = require(option, key);
        try {
            return PciAddress.parse(v);
        } catch (IllegalArgumentException e) {
            throw new UsageException(where(option) + ": Parameter '" + key + "' expects a PCI address DDDD:BB:DD.F, not '"
                    + v + "'");
        }
    }

    /** An on/off property. */
    boolean onOff(String option, String key, boolean fallback) {
        String v = properties.get(key);
        if (v == null) {
            return fallback;
        }
        return switch (v) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new UsageException(where(option) + ": Parameter '" + key + "' expects 'on' or 'off', not '"
                    + v + "'");
        };
    }

    static final class Converter implements CommandLine.ITypeConverter<DeviceOption> {
        @Override
        public DeviceOption convert(String value) {
            return parse(value);
        }
    }
}
