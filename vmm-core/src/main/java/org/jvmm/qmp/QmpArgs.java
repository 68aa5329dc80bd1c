package org.jvmm.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A command's {@code arguments}, checked as QEMU's QObject input visitor checks them: a missing
 * mandatory member is "Parameter 'x' is missing", a member of the wrong JSON type "Invalid
 * parameter type for 'x', expected: string", and once the command has taken what it knows, any
 * member left over is "Parameter 'x' is unexpected".
 */
public final class QmpArgs {
    private final ObjectNode args;
    private final Set<String> taken = new HashSet<>();

    QmpArgs(ObjectNode args) {
        this.args = args;
    }

    /** A mandatory string member. */
    public String string(String name) {
        JsonNode v = take(name);
        if (v == null) {
            throw QmpError.generic("Parameter '" + name + "' is missing");
        }
        return text(name, v);
    }

    /** An optional string member, or null. */
    public String optString(String name) {
        JsonNode v = take(name);
        return v == null ? null : text(name, v);
    }

    /** An optional boolean member. */
    public boolean optBool(String name, boolean absent) {
        JsonNode v = take(name);
        if (v == null) {
            return absent;
        }
        if (!v.isBoolean()) {
            throw wrongType(name, "boolean");
        }
        return v.booleanValue();
    }

    /** An optional integer member, or null. */
    public Long optInt(String name) {
        JsonNode v = take(name);
        if (v == null) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw wrongType(name, "integer");
        }
        return v.longValue();
    }

    /** An optional array of strings, or null. */
    public List<String> optStrings(String name) {
        JsonNode v = take(name);
        if (v == null) {
            return null;
        }
        if (!v.isArray()) {
            throw wrongType(name, "array");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
            out.add(text("null", e));
        }
        return out;
    }

    /** Every member not taken yet, as text (device_add's free-form properties). */
    public Map<String, String> rest() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = args.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (taken.add(e.getKey())) {
                JsonNode v = e.getValue();
                out.put(e.getKey(), v.isTextual() ? v.textValue() : v.toString());
            }
        }
        return out;
    }

    /** Refuses the first member the command did not take. */
    public void done() {
        for (Iterator<String> it = args.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!taken.contains(name)) {
                throw QmpError.generic("Parameter '" + name + "' is unexpected");
            }
        }
    }

    private JsonNode take(String name) {
        taken.add(name);
        JsonNode v = args.get(name);
        return v == null || v.isMissingNode() ? null : v;
    }

    private static String text(String name, JsonNode v) {
        if (!v.isTextual()) {
            throw wrongType(name, "string");
        }
        return v.textValue();
    }

    private static QmpError wrongType(String name, String expected) {
        return QmpError.generic("Invalid parameter type for '" + name + "', expected: " + expected);
    }
}
