package org.jvmm.kvm.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where gcc and the kernel's uapi headers are installed: compiles src/test/resources/uapi/
 * kvm_uapi_values.c, which prints what linux/kvm.h defines, and checks every value against
 * {@link KvmIoctls} and {@link KvmStructs}. Skipped, with the reason, where there is no compiler
 * or no headers; {@link KvmIoctlNumbersMatchUapiEncoding} covers the same numbers everywhere.
 */
class KvmConstantsMatchInstalledHeaders {

    @Test
    void everyPrintedValueEqualsTheJavaConstant(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.exists(Path.of("/usr/include/linux/kvm.h")),
                "needs the kernel uapi headers (/usr/include/linux/kvm.h, package linux-libc-dev)");
        Path source = dir.resolve("kvm_uapi_values.c");
        try (InputStream in = getClass().getResourceAsStream("/uapi/kvm_uapi_values.c")) {
            Files.write(source, in.readAllBytes());
        }
        Path binary = dir.resolve("kvm_uapi_values");
        String compile = run(List.of("gcc", "-o", binary.toString(), source.toString()), true);
        Assumptions.assumeTrue(compile != null, "needs gcc on the PATH to compile the uapi probe");

        Map<String, Long> header = new LinkedHashMap<>();
        for (String line : run(List.of(binary.toString()), false).split("\n")) {
            String[] kv = line.trim().split(" ");
            header.put(kv[0], Long.parseUnsignedLong(kv[1]));
        }

        List<String> checked = new ArrayList<>();
        for (Map.Entry<String, Long> e : header.entrySet()) {
            long java = javaValue(e.getKey());
            assertEquals(e.getValue().longValue(), java, () -> e.getKey() + ": header 0x" + Long.toHexString(e.getValue())
                    + ", Java 0x" + Long.toHexString(java));
            checked.add(e.getKey());
        }
        assertEquals(89, checked.size(), "every value the probe prints was compared");
    }

    private static long javaValue(String name) throws ReflectiveOperationException {
        if (name.contains(".")) {
            String[] parts = name.split("\\.");
            Class<?> nested = Class.forName(KvmStructs.class.getName() + "$" + parts[0]);
            return number(nested.getField(parts[1]));
        }
        try {
            return number(KvmIoctls.class.getField(name));
        } catch (NoSuchFieldException e) {
            return number(KvmStructs.class.getField(name));
        }
    }

    private static long number(Field f) throws IllegalAccessException {
        Object v = f.get(null);
        return v instanceof Integer i ? i.longValue() : (Long) v;
    }

    /** Runs a command; returns its stdout, or null when it cannot start (tolerated if {@code mayBeMissing}). */
    private static String run(List<String> command, boolean mayBeMissing) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            if (mayBeMissing) {
                return null;
            }
            throw e;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "command finished: " + command);
        assertEquals(0, p.exitValue(), () -> command + " failed: " + out);
        return out;
    }
}
