package io.rnnstream.demo;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

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

    private SavedSummary() {}

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
        DemoSummary summary = MAPPER.readValue(file.toFile(), DemoSummary.class);
        Map<String, Object> required = new LinkedHashMap<>();
        required.put("useCases", summary.useCases());
        required.put("latencies", summary.latencies());
        required.put("deadLetterRecords", summary.deadLetterRecords());
        required.put("swaps", summary.swaps());
        required.put("timeline", summary.timeline());
        required.put("heatmaps", summary.heatmaps());
        required.put("retraining", summary.retraining());
        if (summary.useCases() != null
                && summary.useCases().stream().anyMatch(u -> u.confusionByVersion() == null)) {
            required.put("useCases[].confusionByVersion", null);
        }
        if (summary.heatmaps() != null
                && summary.heatmaps().stream().anyMatch(m -> m.labels() == null)) {
            required.put("heatmaps[].labels", null);
        }
        String missing =
                String.join(
                        ", ",
                        required.entrySet().stream()
                                .filter(e -> e.getValue() == null)
                                .map(Map.Entry::getKey)
                                .toList());
        if (!missing.isEmpty()) {
            throw new DemoException(
                    file
                            + " lacks "
                            + missing
                            + ": it was written by an earlier release of the demo; run the demo"
                            + " again to get a report");
        }
        return summary;
    }
}
