package org.jvmm.qtest;

import java.io.*;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ScratchTranscript {
    @Test
    void print() throws Exception {
        String script = """
                info
                readb 0x8000000000000000
                readq 0xffffffffffffffff
                writeq 0x8000000000000000 0x1234
                writeq 0xfffffffffffffffc 0x1234
                readq 0
                read 0x8000000000000000 16
                read 0xfffffffffffffff8 16
                write 0xfffffffffffffff8 16 0x11223344556677881122334455667788
                memset 0xfffffffffffffff8 16 0x5a
                readq 0
                hcall 0xf000 0x8000000000000000
                hcall 0xf000 0xfffffffffffffff8
                hcall 0x20 0x80000000 0x8000000000000000 0x200001
                hcall 0x20 0x80000000 0xfffffffffffff000 0x200001
                hcall 0x1c 0x80000000 0x8000000000000000
                hcall 0x24 0x80000000 0x8000000000000000 0x200001 1
                hcall 0x138 0x80000000 0xfffffffffffff000 0x200001 2
                writeq 0x200081000080 0x40000
                writeq 0x200081000088 0x10000
                writeq 0x200081000090 0x8000000000000000
                writeq 0x200081000098 1
                readq 0x200081000098
                writeq 0x200081000090 0xffffffffffffffff
                writeq 0x200081000098 1
                readl 0x200081000000
                info
                """;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int st = QtestLauncher.run("pseries", 64L << 20, "stdio", new ByteArrayInputStream(script.getBytes(StandardCharsets.UTF_8)), new PrintStream(out, true, StandardCharsets.UTF_8));
        java.nio.file.Files.writeString(java.nio.file.Path.of("/tmp/addr-edu/transcript.txt"), out.toString(StandardCharsets.UTF_8) + "status " + st + "\n");
    }
}
