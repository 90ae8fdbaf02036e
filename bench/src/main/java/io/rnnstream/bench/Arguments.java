package io.rnnstream.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code --name value} pairs and bare {@code --flag}s (value "true"), nothing else. */
final class Arguments {

    private Arguments() {}

    static Map<String, String> parse(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException(
                        "argument " + (i + 1) + " '" + args[i] + "': expected --name");
            }
            String name = args[i].substring(2);
            boolean hasValue = i + 1 < args.length && !args[i + 1].startsWith("--");
            options.put(name, hasValue ? args[++i] : "true");
        }
        return options;
    }
}
