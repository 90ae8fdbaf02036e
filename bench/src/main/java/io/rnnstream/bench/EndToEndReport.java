package io.rnnstream.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The end-to-end suite's JSON report as markdown. */
final class EndToEndReport {

    /** The state target of the reports written before reports recorded theirs. */
    private static final int TARGET_BEFORE_RECORDED = 64;

    private EndToEndReport() {}

    /**
     * Renders the markdown of each JSON report named, beside it: for committed reports after a
     * change of the renderer, which {@code CommittedResultsTest} holds them to.
     */
    public static void main(String[] args) throws IOException {
        for (String json : args) {
            Map<String, Object> result =
                    new ObjectMapper()
                            .readValue(
                                    Path.of(json).toFile(),
                                    new TypeReference<LinkedHashMap<String, Object>>() {});
            Files.writeString(Path.of(json.replaceFirst("\\.json$", ".md")), markdown(result));
        }
    }

    static String markdown(Map<String, Object> result) {
        JsonNode report = new ObjectMapper().valueToTree(result);
        StringBuilder md =
                new StringBuilder(
                        "# rnnstream end to end (" + report.get("mode").asText() + ")\n\n");
        md.append("Machine: ").append(result.get("machine")).append("\n\n");
        md.append("Run: ")
                .append(report.get("startedAt").asText())
                .append(" to ")
                .append(report.get("finishedAt").asText())
                .append("; load average (1 min): ")
                .append(result.get("loadAverage1m"))
                .append(
                        "\n\n## Targets\n\n| target | measure | value | threshold | met |\n|---|---|---|---|---|\n");
        for (JsonNode target : report.get("targets")) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %s | %s | %s | %s |%n",
                            target.get("target").asText(),
                            target.get("measure").asText(),
                            target.get("value").isNull()
                                    ? ""
                                    : String.format(
                                            Locale.ROOT, "%.2f", target.get("value").asDouble()),
                            target.get("threshold").asText(),
                            target.get("met").isNull()
                                    ? "not measured"
                                    : target.get("met").asBoolean() ? "**met**" : "not met"));
        }
        md.append(
                "\n## Throughput\n\n| model | delivery | state | keys | events | checkpoints every | events/s |\n|---|---|---|---|---|---|---|\n");
        for (JsonNode row : report.get("throughput")) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %s | %s | %,d | %,d | %s | %,.0f |%n",
                            row.get("model").asText(),
                            row.get("delivery").asText(),
                            row.get("backend").asText(),
                            row.get("keys").asLong(),
                            row.get("events").asLong(),
                            row.get("checkpointInterval").asText(),
                            row.get("eventsPerSecond").asDouble()));
        }
        md.append(
                "\n| delivery | state | keys | classifier / pass-through | target >= 0.6 |\n|---|---|---|---|---|\n");
        for (JsonNode ratio : report.get("ratios")) {
            double value = ratio.get("classifierOverPassThrough").asDouble();
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %s | %,d | %.2f | %s |%n",
                            ratio.get("delivery").asText(),
                            ratio.get("backend").asText(),
                            ratio.get("keys").asLong(),
                            value,
                            value >= 0.6 ? "met" : "not met"));
        }
        for (JsonNode row : report.get("throughput")) {
            if (row.has("managedMemoryMiB")) {
                md.append(
                        String.format(
                                Locale.ROOT,
                                "%n'%s': %,d MiB, what Flink gives a TaskManager of the Helm chart's default size (%s,"
                                        + " 2 slots) with its default managed fraction; a local environment has 128 MiB.%n",
                                row.get("backend").asText(),
                                row.get("managedMemoryMiB").asInt(),
                                EndToEndSuite.CHART_TASK_MANAGER_MEMORY));
                break;
            }
        }
        operator(report, md);
        JsonNode batching = report.get("batchingRatios");
        if (batching != null && !batching.isEmpty()) {
            md.append(
                    "\n| round | delivery | state | keys | steps batched per watermark / one key at a time (same round) |\n|---|---|---|---|---|\n");
            for (JsonNode ratio : batching) {
                md.append(
                        String.format(
                                Locale.ROOT,
                                "| %s | %s | %s | %,d | %.2f |%n",
                                ratio.has("round") ? ratio.get("round").asText() : "",
                                ratio.get("delivery").asText(),
                                ratio.get("backend").asText(),
                                ratio.get("keys").asLong(),
                                ratio.get("batchedOverOneKey").asDouble()));
            }
        }
        shadows(report, md);
        windowRecompute(report, md);
        latency(report, md);
        state(report, md);
        md.append(
                "\nPass-through = the same job serving a one-unit Elman model (about 1/1,000 of the"
                        + " LSTM's arithmetic). lstm steps the keys of each watermark advance"
                        + " together (the default); 'one key at a time' is the same job with"
                        + " sequence.batch-steps=false. Throughput = events of the first 90% of the sequences"
                        + " / time from job submission to the append of the result completing them;"
                        + " events produced before the job starts. Window recompute = the same"
                        + " source, parsing and sink with a keyed function that re-runs each key's"
                        + " last 50 events (fewer at a key's start: mean window in the table)"
                        + " through the LSTM 64/16 for every event, with no event-time ordering;"
                        + " the 30x target is evaluated against the DL4J baseline. Latency = result's"
                        + " broker append time (LogAppendTime) or the moment a read_committed reader"
                        + " received it, minus the send time of the event that ended the sequence"
                        + " (its event time is the wall clock at send), for sequences ended in the"
                        + " measured window, at half the classifier's maximum rate for that delivery"
                        + " guarantee (heap state) measured above.\n");
        return md.toString();
    }

    private static void operator(JsonNode report, StringBuilder md) {
        JsonNode rows = report.get("operator");
        if (rows == null || rows.isEmpty()) {
            return;
        }
        md.append(
                "\n## Classifier operator alone (JMH, no Kafka; LSTM 64/16, 1,000 keys, 4,000 events per watermark advance)\n\n"
                        + "| state | steps batched per watermark, µs/event | one key at a time, µs/event | one key / batched |\n|---|---|---|---|\n");
        for (JsonNode row : rows) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %.2f | %.2f | %.2f |%n",
                            row.get("backend").asText(),
                            row.get("batchedUsPerEvent").asDouble(),
                            row.get("oneKeyUsPerEvent").asDouble(),
                            row.get("oneKeyOverBatched").asDouble()));
        }
    }

    private static void shadows(JsonNode report, StringBuilder md) {
        JsonNode ratios = report.get("shadowRatios");
        if (ratios == null || ratios.isEmpty()) {
            return;
        }
        md.append(
                "\n## Shadows (an LSTM 64 serving, shadows of the same shape beside it on every key)\n\n"
                        + "| round | delivery | state | keys | shadows | shadow results / (shadows x sequences) |"
                        + " with shadows / none (same round) |\n|---|---|---|---|---|---|---|\n");
        for (JsonNode ratio : ratios) {
            JsonNode row = shadowRow(report, ratio);
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %s | %s | %,d | %d | %.3f | %.2f |%n",
                            ratio.get("round").asText(),
                            ratio.get("delivery").asText(),
                            ratio.get("backend").asText(),
                            ratio.get("keys").asLong(),
                            ratio.get("shadows").asInt(),
                            row.get("shadowResults").asDouble()
                                    / (row.get("shadows").asInt()
                                            * row.get("sequences").asDouble()),
                            ratio.get("withShadowsOverNone").asDouble()));
        }
        JsonNode cost = report.get("shadowCost");
        if (cost != null) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "%nThe operators alone (JMH, no Kafka; LSTM 64/16, %,d keys, steps batched per watermark;"
                                    + " a labelled sequence = %d labelled events parsed, the label joined with the serving"
                                    + " and one shadow prediction, both outcomes added to their versions' figures):%n%n"
                                    + "| state | classifier µs/event | with one shadow µs/event | none / one shadow |"
                                    + " evaluation µs per labelled sequence | in classifier events |%n|---|---|---|---|---|---|%n",
                            cost.get("keys").asLong(),
                            cost.get("eventsPerLabelledSequence").asInt()));
            for (JsonNode row : cost.get("rows")) {
                md.append(
                        String.format(
                                Locale.ROOT,
                                "| %s | %.2f | %.2f | %.2f | %.2f | %.1f |%n",
                                row.get("backend").asText(),
                                row.get("noShadowUsPerEvent").asDouble(),
                                row.get("oneShadowUsPerEvent").asDouble(),
                                row.get("noShadowOverOneShadow").asDouble(),
                                row.get("evaluationUsPerLabelledSequence").asDouble(),
                                row.get("evaluationInClassifierEvents").asDouble()));
            }
        }
        JsonNode perShadow = report.get("shadowStateBytesPerKey");
        if (perShadow != null) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "%nSavepoint bytes per key added by one shadow: %.1f (its h and c floats: %d).%n",
                            perShadow.asDouble(),
                            report.get("state").get(0).get("hiddenStateBytes").asInt()));
        }
    }

    /** The throughput row a shadow ratio was computed from. */
    private static JsonNode shadowRow(JsonNode report, JsonNode ratio) {
        for (JsonNode row : report.get("throughput")) {
            if (row.path("shadows").asInt() == ratio.get("shadows").asInt()
                    && row.get("backend").equals(ratio.get("backend"))
                    && row.get("round").equals(ratio.get("round"))) {
                return row;
            }
        }
        throw new IllegalArgumentException("no throughput row for shadow ratio " + ratio);
    }

    private static void windowRecompute(JsonNode report, StringBuilder md) {
        md.append(
                "\n## Window recompute (at-least-once, heap)\n\n| baseline | keys | events | mean window | events/s | classifier / baseline |\n|---|---|---|---|---|---|\n");
        for (JsonNode row : report.get("windowRecompute")) {
            double ratio = Double.NaN;
            for (JsonNode r : report.get("recomputeRatios")) {
                if (r.get("baseline").asText().equals(row.get("model").asText())) {
                    ratio = r.get("classifierOverRecompute").asDouble();
                }
            }
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %,d | %,d | %.1f | %,.0f | %.1f |%n",
                            row.get("model").asText(),
                            row.get("keys").asLong(),
                            row.get("events").asLong(),
                            row.get("meanWindow").asDouble(),
                            row.get("eventsPerSecond").asDouble(),
                            ratio));
        }
    }

    private static void latency(JsonNode report, StringBuilder md) {
        md.append(
                "\n## Latency at a share of the maximum rate (LSTM 64, heap)\n\n"
                        + "| settings | delivery | keys | rate, events/s (share of max) | sent, events/s | sequences | results |"
                        + " append p50 ms | append p99 ms | append max ms | visible p50 ms | visible p99 ms |\n"
                        + "|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (JsonNode row : report.get("latency")) {
            JsonNode append = row.get("appendMs");
            JsonNode visible = row.get("visibleMs");
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %s | %,d | %,.0f (%.1f) | %,.0f | %,d | %,d | %s | %s | %s | %s | %s |%n",
                            row.get("setup").asText(),
                            row.get("delivery").asText(),
                            row.get("keys").asLong(),
                            row.get("targetEventsPerSecond").asDouble(),
                            row.get("shareOfMaximum").asDouble(),
                            row.get("sentEventsPerSecond").asDouble(),
                            row.get("sequencesInWindow").asLong(),
                            row.get("resultsInWindow").asLong(),
                            append.path("p50").asText("-"),
                            append.path("p99").asText("-"),
                            append.path("max").asText("-"),
                            visible.path("p50").asText("-"),
                            visible.path("p99").asText("-")));
        }
        md.append("\nSettings per row:\n\n");
        for (JsonNode row : report.get("latency")) {
            md.append("* ")
                    .append(row.get("setup").asText())
                    .append(", ")
                    .append(row.get("delivery").asText())
                    .append(": job ")
                    .append(row.get("jobSettings"))
                    .append(", Flink ")
                    .append(row.get("flinkSettings"))
                    .append(", event producer ")
                    .append(row.get("producerSettings"))
                    .append('\n');
        }
    }

    private static void state(JsonNode report, StringBuilder md) {
        int target = report.path("stateTargetBytesPerKey").asInt(TARGET_BEFORE_RECORDED);
        md.append(
                "\n## State: savepoint size and restore\n\n"
                        + "| state | keys | savepoint bytes | bytes/key | beyond hidden state | target <= "
                        + target
                        + " | savepoint s |"
                        + " start without state: submit to all running ms | of which INITIALIZING ms |"
                        + " start from savepoint: submit to all running ms | of which INITIALIZING ms |\n"
                        + "|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (JsonNode row : report.get("state")) {
            double beyond = row.get("bytesPerKeyBeyondHiddenState").asDouble();
            JsonNode fresh = row.get("startWithoutState");
            JsonNode restored = row.get("startFromSavepoint");
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %,d | %,d | %.1f | %.1f | %s | %.1f | %,d | %,d | %,d | %,d |%n",
                            row.get("backend").asText(),
                            row.get("keys").asLong(),
                            row.get("savepointBytes").asLong(),
                            row.get("bytesPerKey").asDouble(),
                            beyond,
                            row.has("shadows")
                                    ? "shadows: " + row.get("shadows").asInt()
                                    : beyond <= target ? "met" : "not met",
                            row.get("savepointSeconds").asDouble(),
                            fresh.get("submitToRunningMs").asLong(),
                            fresh.get("initializingMs").asLong(),
                            restored.get("submitToRunningMs").asLong(),
                            restored.get("initializingMs").asLong()));
        }
    }
}
