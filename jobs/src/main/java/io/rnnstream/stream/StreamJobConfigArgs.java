package io.rnnstream.stream;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Separates {@code --config FILE} from the other {@code --key value} arguments. */
final class StreamJobConfigArgs {

    private StreamJobConfigArgs() {}

    static Map<String, String> split(String[] args) {
        Map<String, String> found = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                found.put("config", args[i + 1]);
            } else if (args[i].startsWith("--config=")) {
                found.put("config", args[i].substring("--config=".length()));
            }
        }
        return found;
    }

    static String[] rest(String[] args) {
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config")) {
                i++;
            } else if (!args[i].startsWith("--config=")) {
                rest.add(args[i]);
            }
        }
        return rest.toArray(String[]::new);
    }
}
