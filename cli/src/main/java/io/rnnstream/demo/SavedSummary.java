package io.rnnstream.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A run's {@code summary.json}: written at the end of the demo, read back to draw its report again
 * without running the demo.
 */
public final class SavedSummary {

    private static final ObjectMapper MAPPER =
            JsonMapper.builder()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .build();

    /** What the report draws from, beyond what every release wrote. */
    private static final List<String> REQUIRED =
            List.of(
                    "useCases",
                    "latencies",
                    "deadLetterRecords",
                    "swaps",
                    "timeline",
                    "heatmaps",
                    "retraining");

    private SavedSummary() {}

    private static boolean anyLacks(JsonNode array, String field) {
        for (JsonNode element : array) {
            if (!element.hasNonNull(field)) {
                return true;
            }
        }
        return false;
    }

    public static void write(DemoSummary summary, Path file) throws IOException {
        MAPPER.writeValue(file.toFile(), summary);
    }

    /**
     * Reads {@code file}; a summary from an earlier release, which lacks what the report draws, is
     * refused with the fields it misses.
     */
    public static DemoSummary read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new DemoException(file + ": no such file (a demo run's summary.json)");
        }
        JsonNode tree;
        try {
            tree = MAPPER.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new DemoException(file + ": not JSON: " + e.getOriginalMessage());
        }
        List<String> missing = new ArrayList<>();
        for (String field : REQUIRED) {
            if (!tree.hasNonNull(field)) {
                missing.add(field);
            }
        }
        if (anyLacks(tree.path("useCases"), "confusionByVersion")) {
            missing.add("useCases[].confusionByVersion");
        }
        if (anyLacks(tree.path("heatmaps"), "labels")) {
            missing.add("heatmaps[].labels");
        }
        if (!missing.isEmpty()) {
            throw new DemoException(
                    file
                            + " lacks "
                            + String.join(", ", missing)
                            + ": it was written by an earlier release of the demo; run the demo"
                            + " again to get a report");
        }
        try {
            return MAPPER.treeToValue(tree, DemoSummary.class);
        } catch (JsonProcessingException e) {
            throw new DemoException(file + ": not a demo summary: " + e.getOriginalMessage());
        }
    }
}
