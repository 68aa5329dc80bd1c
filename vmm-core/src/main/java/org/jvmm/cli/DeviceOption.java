package org.jvmm.cli;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;

/**
 * A QEMU-style device option: a driver name and comma-separated {@code key=value} properties,
 * e.g. {@code vfio-pci,host=0000:00:03.0,addr=3} or {@code edu,host=0000:00:03.0}.
 */
record DeviceOption(String driver, Map<String, String> properties) {

    static DeviceOption parse(String text) {
        String[] parts = text.split(",");
        if (parts[0].isBlank() || parts[0].contains("=")) {
            throw new CommandLine.TypeConversionException("'" + text + "' does not start with a driver name");
        }
        Map<String, String> props = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq <= 0) {
                throw new CommandLine.TypeConversionException("'" + parts[i] + "' in '" + text + "' is not key=value");
            }
            props.put(parts[i].substring(0, eq).toLowerCase(Locale.ROOT), parts[i].substring(eq + 1));
        }
        return new DeviceOption(parts[0], props);
    }

    String require(String key) {
        String v = properties.get(key);
        if (v == null) {
            throw new IllegalArgumentException(driver + ": property '" + key + "' is required");
        }
        return v;
    }

    String get(String key, String fallback) {
        return properties.getOrDefault(key, fallback);
    }

    static final class Converter implements CommandLine.ITypeConverter<DeviceOption> {
        @Override
        public DeviceOption convert(String value) {
            return parse(value);
        }
    }
}
