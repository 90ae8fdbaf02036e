package io.rnnstream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * A suite's results: begun with the mode, the start time, the machine and the load, finished with
 * the load and the end time, and written as {@code <name>-<mode>.json} with its Markdown rendering
 * beside it (rendered from the JSON as read back, so the two cannot disagree).
 */
final class ResultFiles {

    private final Map<String, Object> result = new LinkedHashMap<>();
    private final double loadBefore;

    private ResultFiles(String mode) {
        result.put("mode", mode);
        result.put("startedAt", Instant.now().toString());
        result.put("machine", MachineInfo.describe());
        loadBefore = MachineInfo.loadAverage();
    }

    static ResultFiles begin(boolean quick) {
        return new ResultFiles(quick ? "quick" : "full");
    }

    void put(String key, Object value) {
        result.put(key, value);
    }

    /** Writes {@code <name>-<mode>.json} and {@code .md} to {@code out}; returns the JSON file. */
    Path write(Path out, String name, Function<JsonNode, String> render) throws IOException {
        Map<String, Object> load = new LinkedHashMap<>();
        load.put("before", loadBefore);
        load.put("after", MachineInfo.loadAverage());
        result.put("loadAverage1m", load);
        result.put("finishedAt", Instant.now().toString());
        Files.createDirectories(out);
        String base = name + "-" + result.get("mode");
        Path json = out.resolve(base + ".json");
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(json.toFile(), result);
        Files.writeString(
                out.resolve(base + ".md"),
                render.apply(new ObjectMapper().readTree(json.toFile())));
        return json;
    }
}
