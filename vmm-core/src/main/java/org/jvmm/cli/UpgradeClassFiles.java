package org.jvmm.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassFileVersion;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;

/**
 * Rewrites the class files of a jar that are older than Java 6 (major version below 50) to Java 8's
 * version (52), with stack map frames computed by the JDK's class-file API, so that the JDK's
 * ahead-of-time cache takes them: the cache refuses classes of version 49 and older, which are
 * loaded, verified and linked again at every start. picocli is built for Java 5; the launcher
 * ({@code ./vmm}) puts the rewritten copy of its jar on the class path it runs and trains the cache
 * with.
 *
 * <p>Only the version and the stack map tables change: the code, the constant pool entries it uses
 * and every other entry of the jar (the manifest, resources, the multi-release module descriptor)
 * are copied as they are. Version 52 rather than the running JDK's keeps the class-file rules of
 * the code as written (no nest mates, no interface method rules of later versions).
 *
 * <pre>java -cp vmm-core.jar org.jvmm.cli.UpgradeClassFiles IN.jar OUT.jar</pre>
 */
public final class UpgradeClassFiles {
    /** The oldest class-file major version the ahead-of-time cache takes (Java 6). */
    static final int OLDEST_CACHED = 50;
    /** The major version the rewritten classes get (Java 8). */
    static final int UPGRADED = 52;

    private UpgradeClassFiles() {
    }

    /**
     * Writes {@code out}, a copy of the jar {@code in} with its old class files rewritten; returns
     * how many were rewritten. {@code out} is written whole to a new file beside it and then moved, so a
     * failed run leaves no partial jar and two runs at once do not mix their output.
     */
    static int upgrade(Path in, Path out) throws IOException {
        // a file of this run's own: two launchers after one build may both write the copy
        Path tmp = Files.createTempFile(out.toAbsolutePath().getParent(), out.getFileName() + ".", ".tmp");
        int upgraded = 0;
        try (JarFile jar = new JarFile(in.toFile(), false);
                URLClassLoader resources = new URLClassLoader(new URL[] {in.toUri().toURL()}, null);
                OutputStream file = Files.newOutputStream(tmp);
                JarOutputStream jarOut = new JarOutputStream(file)) {
            // the stack maps need the common super class of two types: the JDK's classes, else the jar's own
            ClassFile cf = ClassFile.of(ClassFile.StackMapsOption.GENERATE_STACK_MAPS,
                    ClassFile.ClassHierarchyResolverOption.of(ClassHierarchyResolver.defaultResolver()
                            .orElse(ClassHierarchyResolver.ofResourceParsing(resources))));
            Enumeration<JarEntry> entries = jar.entries();
            while (entries.hasMoreElements()) {
                JarEntry e = entries.nextElement();
                byte[] bytes;
                try (InputStream s = jar.getInputStream(e)) {
                    bytes = s.readAllBytes();
                }
                int major = e.getName().endsWith(".class") ? majorVersion(bytes) : -1;
                if (major >= 0 && major < OLDEST_CACHED) {
                    bytes = rewrite(cf, bytes);
                    upgraded++;
                }
                JarEntry copy = new JarEntry(e.getName());
                copy.setTime(e.getTime());
                jarOut.putNextEntry(copy);
                jarOut.write(bytes);
                jarOut.closeEntry();
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return upgraded;
    }

    /** The class file {@code bytes} at version 52, every method body rebuilt so its stack maps are made. */
    static byte[] rewrite(ClassFile cf, byte[] bytes) {
        ClassModel model = cf.parse(bytes);
        ClassTransform version = (cb, ce) -> {
            if (ce instanceof ClassFileVersion) {
                cb.withVersion(UPGRADED, 0);
            } else {
                cb.with(ce);
            }
        };
        return cf.transformClass(model, version.andThen(ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL)));
    }

    /** The major version of a class file (bytes 6 and 7, big-endian); -1 for bytes that are no class file. */
    static int majorVersion(byte[] bytes) {
        if (bytes.length < 8 || (bytes[0] & 0xff) != 0xca || (bytes[1] & 0xff) != 0xfe || (bytes[2] & 0xff) != 0xba
                || (bytes[3] & 0xff) != 0xbe) {
            return -1;
        }
        return (bytes[6] & 0xff) << 8 | (bytes[7] & 0xff);
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: UpgradeClassFiles IN.jar OUT.jar (got " + args.length + " arguments)");
            System.exit(2);
        }
        try {
            int n = upgrade(Path.of(args[0]), Path.of(args[1]));
            System.err.println("jvmm: " + args[1] + ": " + n + " class files of " + args[0] + " rewritten to version " + UPGRADED);
        } catch (IOException | RuntimeException e) {
            System.err.println("jvmm: cannot rewrite the class files of " + args[0] + " to " + args[1] + ": " + e);
            System.exit(1);
        }
    }
}
