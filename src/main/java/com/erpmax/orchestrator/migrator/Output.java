package com.erpmax.orchestrator.migrator;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a command reports: lines for a person, or one JSON object with {@code --json}. Values
 * are strings, numbers, booleans, lists and maps; JSON is written by hand because the
 * migrator carries no JSON library.
 */
final class Output {

    private final PrintStream out;
    private final boolean json;
    private final Map<String, Object> fields = new LinkedHashMap<>();

    Output(PrintStream out, boolean json) {
        this.out = out;
        this.json = json;
    }

    /** A line for a person; nothing in JSON mode. */
    void line(String text) {
        if (!json) {
            out.println(text);
        }
    }

    void put(String name, Object value) {
        fields.put(name, value);
    }

    List<Object> list(String name) {
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) fields.computeIfAbsent(name, key -> new ArrayList<>());
        return list;
    }

    void finish() {
        if (json) {
            out.println(render(fields));
        }
        out.flush();
    }

    static String render(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        if (value instanceof Map<?, ?> map) {
            StringBuilder text = new StringBuilder("{");
            map.forEach((key, item) -> text.append(text.length() > 1 ? "," : "").append(render(key.toString()))
                    .append(':').append(render(item)));
            return text.append('}').toString();
        }
        if (value instanceof List<?> list) {
            StringBuilder text = new StringBuilder("[");
            list.forEach(item -> text.append(text.length() > 1 ? "," : "").append(render(item)));
            return text.append(']').toString();
        }
        StringBuilder text = new StringBuilder("\"");
        for (char c : value.toString().toCharArray()) {
            switch (c) {
                case '"' -> text.append("\\\"");
                case '\\' -> text.append("\\\\");
                case '\n' -> text.append("\\n");
                case '\r' -> text.append("\\r");
                case '\t' -> text.append("\\t");
                default -> {
                    if (c < 0x20) {
                        text.append(String.format("\\u%04x", (int) c));
                    } else {
                        text.append(c);
                    }
                }
            }
        }
        return text.append('"').toString();
    }
}
