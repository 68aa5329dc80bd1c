package org.jvmm.kvm.linux;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.jvmm.kvm.x86.CpuidEntry;

/** struct kvm_cpuid_entry2 to and from memory: function, index, flags, eax, ebx, ecx, edx, padding[3]. */
final class CpuidCodec {
    private CpuidCodec() {
    }

    static CpuidEntry read(MemorySegment s, long at) {
        return new CpuidEntry(i(s, at), i(s, at + 4), i(s, at + 8), i(s, at + 12), i(s, at + 16), i(s, at + 20),
                i(s, at + 24));
    }

    static void write(MemorySegment s, long at, CpuidEntry e) {
        s.set(ValueLayout.JAVA_INT, at, e.function());
        s.set(ValueLayout.JAVA_INT, at + 4, e.index());
        s.set(ValueLayout.JAVA_INT, at + 8, e.flags());
        s.set(ValueLayout.JAVA_INT, at + 12, e.eax());
        s.set(ValueLayout.JAVA_INT, at + 16, e.ebx());
        s.set(ValueLayout.JAVA_INT, at + 20, e.ecx());
        s.set(ValueLayout.JAVA_INT, at + 24, e.edx());
    }

    private static int i(MemorySegment s, long at) {
        return s.get(ValueLayout.JAVA_INT, at);
    }
}
