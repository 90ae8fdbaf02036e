package io.rnnstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.demo.report.ReportPage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code rnnstream demo --quick} as a user would, in a JVM of its own so that everything it
 * prints on the console is captured (real broker, local Flink runtime, training, retraining), and
 * checks what it prints and writes: the stream agrees with offline evaluation, only the injected
 * records become dead letters, the retrained version is served, every text event of the language
 * model has one prediction equal to the offline model's, the console carries no INFO log lines
 * (they go to the log file), and the report marks the swap and shows the language model's part.
 */
class DemoITCase {

    /** A log line as log4j's patterns write it, at a level that belongs in the file only. */
    private static final Pattern INFO_LINE = Pattern.compile(".*\\b(INFO|DEBUG|TRACE)\\b.*");

    private static final long TIMEOUT_MINUTES = 10;

    @TempDir static Path temp;

    /** One run serves every test: it takes minutes. */
    private static Path out;

    private static Console run;

    @BeforeAll
    static void runTheQuickDemo() throws Exception {
        out = temp.resolve("demo");
        run = demo("--quick", "--out", out.toString());
    }

    @Test
    void quickDemoStreamsBothUseCasesLikeOfflineEvaluationAndPicksUpTheRetrainedVersion()
            throws Exception {
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out())
                .contains("rnnstream demo summary (quick mode")
                .contains("model versions served: motion v1 -> v2, sentiment v1")
                .contains("unexpected: none");
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        Map<String, Integer> planned = Map.of("motion", 16, "sentiment", 60);
        for (JsonNode useCase : summary.get("useCases")) {
            String model = useCase.get("model").asText();
            int sequences = useCase.get("sequences").asInt();
            assertThat(sequences).as(model).isEqualTo(planned.get(model));
            assertThat(useCase.get("agreeing").asInt()).as(model).isEqualTo(sequences);
            assertThat(useCase.get("streamedAccuracy").asDouble())
                    .as(model)
                    .isEqualTo(useCase.get("offlineAccuracy").asDouble());
            assertThat(useCase.get("maxProbabilityDifference").asDouble())
                    .as(model)
                    .isLessThan(1e-5);
        }
        assertThat(counts(summary.get("deadLetters")))
                .isEqualTo(counts(summary.get("injected")))
                .containsOnlyKeys(
                        "unparsable", "wrong-dimension", "unknown-model", "missing-timestamp");
        assertThat(summary.get("deadLetterRecords").size()).isEqualTo(4);
        assertThat(summary.get("versionsServed").get("motion").toString()).isEqualTo("[1,2]");
        assertThat(summary.get("retraining").get("publishedVersion").asLong()).isEqualTo(2);
        assertThat(summary.get("retraining").get("holdoutSequences").asInt()).isEqualTo(40);
        assertThat(summary.get("useCases").get(0).get("sequencesByVersion").size()).isEqualTo(2);
        assertThat(summary.get("useCases").get(0).get("confusionByVersion").size()).isEqualTo(2);
        assertThat(summary.get("swaps").size()).isEqualTo(1);
        assertThat(summary.get("latencies").size()).isEqualTo(16 + 60);
        assertThat(summary.get("heatmaps").size()).isEqualTo(4);
    }

    @Test
    void everyTextEventOfTheLanguageModelGetsExactlyOnePredictionEqualToTheOfflineModels()
            throws Exception {
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out())
                .contains("training code-lm, a character language model")
                .containsPattern(
                        "language model code-lm v1: 12 text events, 12 predictions, surprise"
                                + " within \\S+ nats of the offline model, 3/3 continuations"
                                + " equal");
        JsonNode lm =
                new ObjectMapper()
                        .readTree(out.resolve("summary.json").toFile())
                        .get("languageModel");
        // quick plan: 3 keys of 4 lines, the last of each asking for 40 characters
        JsonNode events = lm.get("events");
        assertThat(events.size()).isEqualTo(12);
        assertThat(lm.get("predictionsRead").asInt()).isEqualTo(12);
        assertThat(lm.get("maxSurpriseDifference").asDouble()).isLessThan(1e-4);
        int continued = 0;
        for (JsonNode event : events) {
            String what = event.get("key").asText() + " event " + event.get("index").asInt();
            assertThat(event.get("predictions").asInt()).as(what).isEqualTo(1);
            assertThat(event.get("surprise").asDouble())
                    .as(what)
                    .isPositive()
                    .isCloseTo(
                            event.get("offlineSurprise").asDouble(),
                            org.assertj.core.data.Offset.offset(1e-4));
            assertThat(event.get("next").size()).as(what).isEqualTo(5);
            if (event.get("continuation").asInt() > 0) {
                continued++;
                String text = event.get("continuationText").asText();
                assertThat(text.codePointCount(0, text.length())).as(what).isEqualTo(40);
                assertThat(event.get("continuationMatchesOffline").asBoolean()).as(what).isTrue();
            } else {
                assertThat(event.get("continuationText").isNull()).as(what).isTrue();
            }
        }
        assertThat(continued).isEqualTo(3);
        // the cells: every property scored, one coloured panel per property that varies
        JsonNode cells = lm.get("cells");
        assertThat(cells.get("properties").size()).isEqualTo(6);
        assertThat(cells.get("panels").size()).isPositive();
        assertThat(cells.get("panels").get(0).get("values").size())
                .isEqualTo(cells.get("text").asText().length());
    }

    @Test
    void theConsoleCarriesTheDemosLinesAndWarningsWhileTheInfoLogGoesToAFile() throws Exception {
        assertThat(run.exitCode()).as(run.err()).isZero();
        Path log = out.resolve("demo.log").toAbsolutePath();
        assertThat(run.out()).containsOnlyOnce("full log of the libraries and jobs: " + log);
        assertThat(run.lines()).as("console lines").noneMatch(l -> INFO_LINE.matcher(l).matches());
        // Nor log4j's own complaints about a library's log call.
        assertThat(run.err()).doesNotContain("argument placeholders");
        // The libraries did log at INFO: into the file.
        assertThat(Files.readAllLines(log))
                .anyMatch(l -> l.contains(" INFO ") && l.contains("org.apache.flink"))
                .anyMatch(l -> l.contains(" INFO ") && l.contains("org.apache.kafka"));

        String html = Files.readString(out.resolve("report.html"));
        assertThat(html.toLowerCase(java.util.Locale.ROOT)).doesNotContain("<script");
        Map<String, ReportPage.Chart> charts = ReportPage.charts(html);
        assertThat(charts).containsKeys("throughput", "running-accuracy", "latency");
        for (String id : List.of("throughput", "running-accuracy", "accuracy-per-version")) {
            assertThat(charts.get(id).texts()).as(id).contains("motion v2 serves", "model swap");
        }
        assertThat(charts.keySet()).anyMatch(id -> id.startsWith("heatmap-"));
        assertThat(charts.get("lm-surprise").texts()).contains("reader-0", "reader-1", "reader-2");
        assertThat(html)
                .contains("<h3 id=\"cells\">Hidden cells</h3>")
                .contains("<div class=\"legend\">")
                .contains("position in the line");
        charts.forEach(
                (id, chart) -> assertThat(chart.numericLabels()).as(id).hasSizeGreaterThan(3));
    }

    /** What the demo wrote on stdout and stderr, and its exit code. */
    private record Console(int exitCode, String out, String err) {
        List<String> lines() {
            List<String> lines = new ArrayList<>(out.lines().toList());
            lines.addAll(err.lines().toList());
            return lines;
        }
    }

    private static Console demo(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx3g");
        // As the launcher runs it (./rnnstream): the serving step's SIMD kernels.
        command.add("--add-modules=jdk.incubator.vector");
        // The command line's own log4j2.xml, not the test classpath's log4j2-test.properties.
        command.add("-Dlog4j2.configurationFile=log4j2.xml");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Rnnstream.class.getName());
        command.add("demo");
        command.addAll(List.of(args));
        Path stdout = temp.resolve("stdout.txt");
        Path stderr = temp.resolve("stderr.txt");
        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .redirectOutput(stdout.toFile())
                        .redirectError(stderr.toFile());
        builder.environment().put("OMP_NUM_THREADS", "1");
        Process process = builder.start();
        if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(
                    "the demo did not finish within "
                            + TIMEOUT_MINUTES
                            + " min; its output:\n"
                            + Files.readString(stdout, StandardCharsets.UTF_8));
        }
        return new Console(
                process.exitValue(),
                Files.readString(stdout, StandardCharsets.UTF_8),
                Files.readString(stderr, StandardCharsets.UTF_8));
    }

    private static Map<String, Integer> counts(JsonNode node) {
        Map<String, Integer> counts = new TreeMap<>();
        node.fields().forEachRemaining(e -> counts.put(e.getKey(), e.getValue().asInt()));
        return counts;
    }
}
