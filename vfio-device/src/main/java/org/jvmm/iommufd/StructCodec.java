package org.jvmm.iommufd;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.RecordComponent;
import java.util.List;

/**
 * One uapi struct's layout and the record it decodes to, as org.jvmm.vfio.uapi describes VFIO's
 * structs: a {@link StructLayout} names the header's fields in order (u32, u64 on 8-byte offsets,
 * u8, padding), and the codec pairs the n-th named field with the record's n-th component (checked
 * at class initialisation: the same name without underscores, a carrier that fits). Fields are
 * read and written at the layout's offsets, unaligned, in native byte order; a u8 decodes
 * unsigned into an int and encodes its low byte; padding encodes as zeros. {@link #size()} is
 * {@code sizeof}.
 *
 * <p>Decode and encode are method handles built once per record (no reflection per call).
 */
record StructCodec<R extends Record>(StructLayout layout, int size, MethodHandle decoder, MethodHandle encoder) {

    /** A __u32 field. */
    static MemoryLayout u32(String name) {
        return ValueLayout.JAVA_INT.withName(name);
    }

    /** An __aligned_u64 (or __u64) field: the layout refuses one off an 8-byte offset. */
    static MemoryLayout u64(String name) {
        return ValueLayout.JAVA_LONG.withName(name);
    }

    /** A __u8 field. */
    static MemoryLayout u8(String name) {
        return JAVA_BYTE.withName(name);
    }

    /** Reserved bytes the struct has no field for; written as zeros. */
    static MemoryLayout pad(long bytes) {
        return MemoryLayout.paddingLayout(bytes);
    }

    static <R extends Record> StructCodec<R> of(Class<R> type, MemoryLayout... fields) {
        StructLayout layout = MemoryLayout.structLayout(fields);
        RecordComponent[] components = type.getRecordComponents();
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        try {
            Class<?>[] carriers = new Class<?>[components.length];
            for (int i = 0; i < components.length; i++) {
                carriers[i] = components[i].getType();
            }
            MethodHandle ctor = lookup.findConstructor(type, MethodType.methodType(void.class, carriers));
            MethodHandle[] getters = new MethodHandle[components.length];
            MethodHandle encode = null;
            int c = 0;
            long offset = 0;
            for (MemoryLayout f : layout.memberLayouts()) {
                MethodHandle field;
                if (f instanceof PaddingLayout) {
                    field = MethodHandles.dropArguments(
                            MethodHandles.insertArguments(ZERO, 1, offset, f.byteSize()), 1, Record.class);
                } else {
                    if (c == components.length) {
                        throw new IllegalArgumentException(type.getSimpleName() + ": more fields than components");
                    }
                    RecordComponent rc = components[c];
                    String name = f.name().orElseThrow();
                    if (!rc.getName().equalsIgnoreCase(name.replace("_", "")) || rc.getType() != carrierOf(f)) {
                        throw new IllegalArgumentException(type.getSimpleName() + ": field " + name + " ("
                                + f + ") does not match component " + rc.getName() + " (" + rc.getType() + ")");
                    }
                    getters[c] = getter(f, offset);
                    MethodHandle accessor = lookup.unreflect(rc.getAccessor()).asType(
                            MethodType.methodType(rc.getType(), Record.class));
                    field = MethodHandles.filterArguments(setter(f, offset), 1, accessor);
                    c++;
                }
                encode = encode == null ? field : MethodHandles.foldArguments(field, encode);
                offset += f.byteSize();
            }
            if (c != components.length) {
                throw new IllegalArgumentException(type.getSimpleName() + ": " + components.length + " components, "
                        + c + " fields");
            }
            MethodHandle decode = MethodHandles.filterArguments(ctor, 0, getters);
            decode = MethodHandles.permuteArguments(decode, MethodType.methodType(type, MemorySegment.class),
                    new int[components.length]);
            return new StructCodec<>(layout, (int) layout.byteSize(),
                    decode.asType(MethodType.methodType(Record.class, MemorySegment.class)), encode);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException(type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /** Reads the struct at offset 0 of {@code s}. */
    @SuppressWarnings("unchecked")
    R decode(MemorySegment s) {
        try {
            return (R) (Record) decoder.invokeExact(s);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Writes {@code value} at offset 0 of {@code s}, padding as zeros. */
    void encode(R value, MemorySegment s) {
        try {
            encoder.invokeExact(s, (Record) value);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static final MethodHandle GET_INT;
    private static final MethodHandle GET_LONG;
    private static final MethodHandle GET_BYTE;
    private static final MethodHandle SET_INT;
    private static final MethodHandle SET_LONG;
    private static final MethodHandle SET_BYTE;
    private static final MethodHandle ZERO;

    static {
        MethodHandles.Lookup l = MethodHandles.lookup();
        try {
            GET_INT = MethodHandles.insertArguments(l.findVirtual(MemorySegment.class, "get",
                    MethodType.methodType(int.class, ValueLayout.OfInt.class, long.class)), 1, JAVA_INT_UNALIGNED);
            GET_LONG = MethodHandles.insertArguments(l.findVirtual(MemorySegment.class, "get",
                    MethodType.methodType(long.class, ValueLayout.OfLong.class, long.class)), 1, JAVA_LONG_UNALIGNED);
            GET_BYTE = MethodHandles.filterReturnValue(MethodHandles.insertArguments(l.findVirtual(MemorySegment.class,
                    "get", MethodType.methodType(byte.class, ValueLayout.OfByte.class, long.class)), 1, JAVA_BYTE),
                    l.findStatic(Byte.class, "toUnsignedInt", MethodType.methodType(int.class, byte.class)));
            SET_INT = MethodHandles.insertArguments(l.findVirtual(MemorySegment.class, "set",
                    MethodType.methodType(void.class, ValueLayout.OfInt.class, long.class, int.class)), 1, JAVA_INT_UNALIGNED);
            SET_LONG = MethodHandles.insertArguments(l.findVirtual(MemorySegment.class, "set",
                    MethodType.methodType(void.class, ValueLayout.OfLong.class, long.class, long.class)), 1, JAVA_LONG_UNALIGNED);
            MethodHandle setByte = MethodHandles.insertArguments(l.findVirtual(MemorySegment.class, "set",
                    MethodType.methodType(void.class, ValueLayout.OfByte.class, long.class, byte.class)), 1, JAVA_BYTE);
            SET_BYTE = MethodHandles.explicitCastArguments(setByte,
                    MethodType.methodType(void.class, MemorySegment.class, long.class, int.class));
            ZERO = l.findStatic(StructCodec.class, "zero",
                    MethodType.methodType(void.class, MemorySegment.class, long.class, long.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static void zero(MemorySegment s, long offset, long bytes) {
        s.asSlice(offset, bytes).fill((byte) 0);
    }

    private static Class<?> carrierOf(MemoryLayout f) {
        return f instanceof ValueLayout v && v.carrier() == byte.class ? int.class : ((ValueLayout) f).carrier();
    }

    /** (MemorySegment) -> the field's value. */
    private static MethodHandle getter(MemoryLayout f, long offset) {
        return MethodHandles.insertArguments(pick(f, GET_INT, GET_LONG, GET_BYTE), 1, offset);
    }

    /** (MemorySegment, value) -> void. */
    private static MethodHandle setter(MemoryLayout f, long offset) {
        return MethodHandles.insertArguments(pick(f, SET_INT, SET_LONG, SET_BYTE), 1, offset);
    }

    private static MethodHandle pick(MemoryLayout f, MethodHandle i, MethodHandle l, MethodHandle b) {
        Class<?> carrier = ((ValueLayout) f).carrier();
        if (carrier == int.class) {
            return i;
        }
        if (carrier == long.class) {
            return l;
        }
        if (carrier == byte.class) {
            return b;
        }
        throw new IllegalArgumentException("no codec for " + f);
    }

    /** The named fields in order (for tests and error messages). */
    List<String> fieldNames() {
        return layout.memberLayouts().stream().flatMap(m -> m.name().stream()).toList();
    }
}
