package org.jvmm.kvm.soft.ppc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The committed oracle vectors (src/test/ppc-oracle/gen_vectors.py, run under qemu-ppc64le and
 * qemu-ppc64): one case per line, grouped by instruction variant.
 */
final class OracleVectors {
    static final int ALU = 0;
    static final int BRANCH = 1;
    static final int MEM = 2;
    static final int TRAP = 3;
    static final int BRANCH_CTR = 4;
    static final int BUF_LEN = 96;
    static final int BUF_BASE = 32;

    /** One executed case: inputs r5 r6 r7 cr xer lr ctr; outputs the same plus a flag. */
    record Case(String asm, int kind, int word, long[] in, long[] out, int seed, byte[] buffer) {
    }

    private OracleVectors() {
    }

    static Map<String, List<Case>> load(String resource) throws IOException {
        Map<String, List<Case>> byAsm = new LinkedHashMap<>();
        try (InputStream raw = OracleVectors.class.getResourceAsStream(resource)) {
            if (raw == null) {
                throw new IOException("oracle vectors " + resource + " are not on the test class path");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(raw), StandardCharsets.US_ASCII));
            String line;
            while ((line = r.readLine()) != null) {
                String[] t = line.split(" ");
                int kind = Integer.parseInt(t[1]);
                int word = Integer.parseUnsignedInt(t[2], 16);
                long[] in = new long[7];
                long[] out = new long[8];
                for (int k = 0; k < 7; k++) {
                    in[k] = Long.parseUnsignedLong(t[3 + k], 16);
                }
                for (int k = 0; k < 8; k++) {
                    out[k] = Long.parseUnsignedLong(t[10 + k], 16);
                }
                int seed = 0;
                byte[] buf = null;
                if (kind == MEM) {
                    seed = Integer.parseUnsignedInt(t[18], 16);
                    buf = new byte[BUF_LEN];
                    for (int k = 0; k < BUF_LEN; k++) {
                        buf[k] = (byte) Integer.parseInt(t[19].substring(2 * k, 2 * k + 2), 16);
                    }
                }
                byAsm.computeIfAbsent(t[0].replace(':', ' '), k -> new ArrayList<>())
                        .add(new Case(t[0], kind, word, in, out, seed, buf));
            }
        }
        return byAsm;
    }
}
