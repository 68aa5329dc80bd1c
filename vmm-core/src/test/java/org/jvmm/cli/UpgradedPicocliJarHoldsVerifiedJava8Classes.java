package org.jvmm.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The launcher's copy of picocli ({@link UpgradeClassFiles}): the JDK's ahead-of-time cache takes
 * no class of major version 49 or older, and picocli's are 49. The copy holds the same entries in
 * the same order; its old classes are version 52 and load, verify and initialise in a fresh class
 * loader (the verifier checks the stack maps the class-file API computed); every other entry is
 * byte for byte the original.
 */
class UpgradedPicocliJarHoldsVerifiedJava8Classes {
    @TempDir
    Path dir;

    static Path picocliJar() throws URISyntaxException {
        return Path.of(CommandLine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    static Map<String, byte[]> entries(Path jar) throws IOException {
        Map<String, byte[]> m = new LinkedHashMap<>();
        try (JarFile j = new JarFile(jar.toFile(), false)) {
            for (JarEntry e : Collections.list(j.entries())) {
                try (InputStream s = j.getInputStream(e)) {
                    m.put(e.getName(), s.readAllBytes());
                }
            }
        }
        return m;
    }

    @Test
    @DisplayName("the AOT cache refuses class files below version 50: every old picocli class becomes 52, nothing else changes")
    void everyOldClassBecomesVersion52AndEveryOtherEntryIsCopiedAsItIs() throws Exception {
        Path in = picocliJar();
        Path out = dir.resolve("picocli-upgraded.jar");
        Map<String, byte[]> before = entries(in);
        long old = before.entrySet().stream().filter(e -> e.getKey().endsWith(".class"))
                .filter(e -> UpgradeClassFiles.majorVersion(e.getValue()) < 50).count();
        assertEquals(true, old > 100, "picocli 4.7's classes are Java 5's; found " + old + " old ones");

        assertEquals(old, UpgradeClassFiles.upgrade(in, out));

        Map<String, byte[]> after = entries(out);
        assertEquals(new ArrayList<>(before.keySet()), new ArrayList<>(after.keySet()));
        for (Map.Entry<String, byte[]> e : before.entrySet()) {
            byte[] was = e.getValue();
            byte[] now = after.get(e.getKey());
            int major = e.getKey().endsWith(".class") ? UpgradeClassFiles.majorVersion(was) : -1;
            if (major >= 0 && major < 50) {
                assertEquals(52, UpgradeClassFiles.majorVersion(now), e.getKey());
            } else {
                assertArrayEquals(was, now, e.getKey());
            }
        }
        try (var files = Files.list(dir)) {
            assertEquals(List.of(out), files.toList());
        }
    }

    @Test
    @DisplayName("the rewritten classes pass the verifier: each loads, links and initialises in a fresh class loader")
    void everyRewrittenClassLoadsVerifiesAndInitialises() throws Exception {
        Path out = dir.resolve("picocli-upgraded.jar");
        UpgradeClassFiles.upgrade(picocliJar(), out);
        List<String> loaded = new ArrayList<>();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {out.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
            for (String name : entries(out).keySet()) {
                if (name.endsWith(".class") && !name.startsWith("META-INF/")) {
                    String cls = name.substring(0, name.length() - ".class".length()).replace('/', '.');
                    Class<?> c = Class.forName(cls, true, loader);
                    assertEquals(loader, c.getClassLoader(), cls);
                    loaded.add(cls);
                }
            }
            // and it parses: picocli's programmatic model, from the rewritten jar
            Class<?> spec = loader.loadClass("picocli.CommandLine$Model$CommandSpec");
            Object s = spec.getMethod("create").invoke(null);
            Class<?> optionSpec = loader.loadClass("picocli.CommandLine$Model$OptionSpec");
            Object builder = optionSpec.getMethod("builder", String.class, String[].class).invoke(null, "-m", new String[0]);
            // arity is declared by a package-private super class of the public builder
            java.lang.reflect.Method arity = builder.getClass().getMethod("arity", String.class);
            arity.setAccessible(true);
            arity.invoke(builder, "1");
            Object option = builder.getClass().getMethod("build").invoke(builder);
            spec.getMethod("addOption", optionSpec).invoke(s, option);
            Class<?> cl = loader.loadClass("picocli.CommandLine");
            Object commandLine = cl.getConstructor(Object.class).newInstance(s);
            Object result = cl.getMethod("parseArgs", String[].class).invoke(commandLine, (Object) new String[] {"-m", "512M"});
            Object value = result.getClass().getMethod("matchedOptionValue", String.class, Object.class).invoke(result, "-m", null);
            assertEquals("512M", value);
        }
        assertEquals(true, loaded.size() > 100, "loaded " + loaded.size() + " classes");
    }

    @Test
    void aFileThatIsNoJarIsRefusedAndLeavesNoOutput() throws IOException {
        Path in = Files.writeString(dir.resolve("not-a.jar"), "not a jar");
        Path out = dir.resolve("out.jar");
        assertThrows(IOException.class, () -> UpgradeClassFiles.upgrade(in, out));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(in), files.toList());
        }
    }

    @Test
    void theMajorVersionIsReadFromBytesSixAndSevenOfAClassFile() {
        assertEquals(49, UpgradeClassFiles.majorVersion(new byte[] {(byte) 0xca, (byte) 0xfe, (byte) 0xba, (byte) 0xbe, 0, 0, 0, 49}));
        assertEquals(0x0134, UpgradeClassFiles.majorVersion(new byte[] {(byte) 0xca, (byte) 0xfe, (byte) 0xba, (byte) 0xbe, 0, 0, 1, 0x34}));
        assertEquals(-1, UpgradeClassFiles.majorVersion(new byte[] {1, 2, 3, 4, 0, 0, 0, 49}));
        assertEquals(-1, UpgradeClassFiles.majorVersion(new byte[] {(byte) 0xca, (byte) 0xfe, (byte) 0xba}));
    }
}
