package org.jvmm.pci;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Little-endian fields of a configuration space kept as a byte array (PCI is little-endian). */
public final class ConfigBytes {
    private static final VarHandle LE16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LE32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private ConfigBytes() {
    }

    /** Stores the low 16 bits of {@code v} at {@code off}. */
    public static void put16(byte[] config, int off, int v) {
        LE16.set(config, off, (short) v);
    }

    public static void put32(byte[] config, int off, int v) {
        LE32.set(config, off, v);
    }

    public static int get32(byte[] config, int off) {
        return (int) LE32.get(config, off);
    }
}
