package org.jvmm.qmp;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * JSON for the monitor: Jackson's tree model (it keeps members in order and an id's JSON type as
 * sent), written as QEMU writes it: {@code ": "} after a name, {@code ", "} between members and
 * elements, one object a line.
 */
public final class QmpJson {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private QmpJson() {
    }

    public static ObjectNode object() {
        return NODES.objectNode();
    }

    /** Parses one JSON text. */
    public static JsonNode parse(String text) throws JsonProcessingException {
        return MAPPER.readTree(text);
    }

    /** Any value (records, maps, lists) as a tree. */
    public static JsonNode tree(Object value) {
        return MAPPER.valueToTree(value);
    }

    /** A 64-bit address or size as the unsigned number QMP's uint64 is (an unmapped BAR is 2^64 - 1, not -1). */
    public static Object u64(long v) {
        return v >= 0 ? (Object) v : new java.math.BigInteger(Long.toUnsignedString(v));
    }

    /** {@code node} in QEMU's spacing, without the newline. */
    public static String write(JsonNode node) {
        try {
            return MAPPER.writer(new QemuSpacing()).writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("qmp: cannot write " + node.getNodeType(), e);
        }
    }

    /** QEMU's qobject_to_json spacing. */
    private static final class QemuSpacing extends MinimalPrettyPrinter {
        QemuSpacing() {
            super("");
        }

        @Override
        public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(": ");
        }

        @Override
        public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
            g.writeRaw(", ");
        }

        @Override
        public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(", ");
        }
    }

    /**
     * QEMU's text for a JSON syntax error, as near as Jackson's message allows ("JSON parse
     * error, missing : in object pair", "JSON parse error, invalid keyword 'xyz'").
     */
    static String parseError(String input, JsonProcessingException e) {
        String m = e.getOriginalMessage();
        if (m.contains("was expecting a colon")) {
            return "JSON parse error, missing : in object pair";
        }
        if (m.contains("was expecting comma")) {
            return "JSON parse error, expecting ',' or '}'";
        }
        if (m.startsWith("Unrecognized token '")) {
            String token = m.substring("Unrecognized token '".length());
            int end = token.indexOf('\'');
            return "JSON parse error, invalid keyword '" + (end < 0 ? token : token.substring(0, end)) + "'";
        }
        if (m.startsWith("Unexpected close marker")) {
            return "JSON parse error, expecting value";
        }
        if (m.contains("double-quote to start field name")) {
            return "JSON parse error, key is not a string in object";
        }
        return "JSON parse error, " + m.lines().findFirst().orElse(m);
    }
}
