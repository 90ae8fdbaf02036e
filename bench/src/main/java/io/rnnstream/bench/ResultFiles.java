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
        return begin(quick ? "quick" : "full");
    }

    /** Results of a run named {@code mode} (the file name's suffix, e.g. {@code 30min}). */
    static ResultFiles begin(String mode) {
        return new ResultFiles(mode);
    }

    void put(String key, Object value) {
        result.put(key, value);
    }

    /**
     * The line that opens a report: the machine, when the run ran and the 1-minute load average
     * before and after it, e.g. {@code AMD EPYC, 2 cores; run A to B; 1-min load average 2.43
     * before, 2.34 after.}
     */
    static String runLine(JsonNode result) {
        JsonNode machine = result.get("machine");
        return String.format(
                java.util.Locale.ROOT,
                "%s, %s cores; run %s to %s; 1-min load average %.2f before, %.2f after.",
                machine.get("cpu").asText(),
                machine.get("cores").asText(),
                result.get("startedAt").asText(),
                result.get("finishedAt").asText(),
                result.get("loadAverage1m").get("before").asDouble(),
                result.get("loadAverage1m").get("after").asDouble());
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
