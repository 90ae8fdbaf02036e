package io.rnnstream.retrain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The outcome of one retraining run: the decision, why, both scores on the same held-out data, what
 * was read and kept out. Written as JSON; {@link #summary()} is the human form.
 */
public final class RetrainReport {

    /** What the run did. */
    public enum Decision {
        /** The candidate passed the gate, was written to the store and announced. */
        PUBLISHED,
        /** The candidate scored worse than the version in service by more than the margin. */
        REJECTED_WORSE,
        /** The served form of the candidate disagreed with DL4J on golden sequences. */
        REJECTED_PARITY,
        /**
         * No readable version in service to compare the candidate with, and the run was not
         * declared the model's first version ({@code gate.first-version}); nothing trained.
         */
        REJECTED_NO_BASELINE,
        /** Too few usable labelled or held-out sequences to train and compare. */
        NOT_ENOUGH_DATA;

        public String code() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private static final ObjectMapper MAPPER =
            JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private final Map<String, Object> fields = new LinkedHashMap<>();
    private Decision decision;
    private String reason;

    RetrainReport(String model) {
        fields.put("model", model);
    }

    void put(String key, Object value) {
        fields.put(key, value);
    }

    void decide(Decision newDecision, String why) {
        this.decision = newDecision;
        this.reason = why;
    }

    public Decision decision() {
        return decision;
    }

    public String reason() {
        return reason;
    }

    /** A field of the report, e.g. {@code candidateVersion}; null if absent. */
    public Object get(String key) {
        return fields.get(key);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("decision", decision.code());
        map.put("reason", reason);
        map.putAll(fields);
        return map;
    }

    /** The report as JSON. */
    byte[] toJson() throws IOException {
        return MAPPER.writeValueAsBytes(toMap());
    }

    /** Writes the JSON report atomically: a reader sees the previous or the new report. */
    void write(Path file) throws IOException {
        Path absolute = file.toAbsolutePath();
        Files.createDirectories(absolute.getParent());
        Path temp = Files.createTempFile(absolute.getParent(), ".retrain-report", ".json");
        MAPPER.writeValue(temp.toFile(), toMap());
        Files.move(
                temp,
                absolute,
                StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    /** A few lines for a terminal or a job log. */
    public String summary() {
        StringBuilder text = new StringBuilder();
        text.append("decision: ").append(decision.code()).append('\n');
        text.append("reason:   ").append(reason).append('\n');
        for (String key :
                new String[] {
                    "serviceVersion",
                    "candidateVersion",
                    "metric",
                    "firstVersion",
                    "serviceScore",
                    "serviceAccuracyInterval95",
                    "candidateScore",
                    "candidateAccuracyInterval95",
                    "margin",
                    "holdoutSequences",
                    "trainSequences",
                    "parityMaxDifference",
                    "publishedUri"
                }) {
            if (fields.containsKey(key)) {
                text.append(String.format(Locale.ROOT, "%-28s %s%n", key + ":", fields.get(key)));
            }
        }
        return text.toString();
    }
}
