package io.rnnstream.demo.report;

import io.rnnstream.cells.CellsFigures;
import io.rnnstream.demo.DemoSummary;
import io.rnnstream.demo.Heatmap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A demo summary as a run would give it: two models, motion retrained from v1 to v2 in the middle,
 * every dead-letter reason, a snippet and a long motion sequence read step by step.
 */
public final class ReportFixture {

    static final double SWAP_SECOND = 41.4;

    private ReportFixture() {}

    public static DemoSummary summary() {
        return summary(swaps());
    }

    static List<DemoSummary.Swap> swaps() {
        return List.of(new DemoSummary.Swap("motion", 1, 2, SWAP_SECOND));
    }

    static DemoSummary summary(List<DemoSummary.Swap> swaps) {
        return summary(swaps, languageModel());
    }

    /** The summary with {@code languageModel} (null: a run without the language-model part). */
    static DemoSummary summary(
            List<DemoSummary.Swap> swaps, DemoSummary.LanguageModelRun languageModel) {
        return new DemoSummary(
                "quick",
                75,
                List.of(motion(), sentiment()),
                3200,
                1.5,
                9.0,
                new DemoSummary.Percentiles(800, 5800, 5900, 76),
                new DemoSummary.Percentiles(1100, 6100, 6200, 76),
                latencies(),
                Map.of("unparsable", 1, "unknown-model", 1),
                List.of(
                        new DemoSummary.DeadLetter(
                                "unparsable", "line 1: unexpected end", "{\"key\": \"bad-1\""),
                        new DemoSummary.DeadLetter(
                                "unknown-model", "no model named <weather>", "{\"model\":1}")),
                Map.of("unparsable", 1, "unknown-model", 1),
                Map.of("motion", List.of(1L, 2L), "sentiment", List.of(1L)),
                new DemoSummary.Retraining(
                        "motion",
                        "published",
                        "candidate accuracy 0.8000 vs version 1's 0.5000",
                        2,
                        28,
                        10.5,
                        40,
                        28,
                        "accuracy",
                        0.05,
                        1,
                        2,
                        0.5,
                        List.of(0.352, 0.648),
                        0.8,
                        List.of(0.6524, 0.895),
                        15),
                swaps,
                timeline(),
                List.of(snippet(), motionSequence()),
                languageModel);
    }

    /** Two keys of three lines each; the last line of each asks for a continuation. */
    static DemoSummary.LanguageModelRun languageModel() {
        List<DemoSummary.TextEvent> events = new ArrayList<>();
        String[][] lines = {
            {"    int x = 1;\n", "    if (x < 2) {\n", "        return <y>;\n"},
            {"// a comment\n", "class A {\n", "}\n"}
        };
        for (int k = 0; k < lines.length; k++) {
            for (int e = 0; e < lines[k].length; e++) {
                boolean last = e == lines[k].length - 1;
                double surprise = 1.5 * lines[k][e].length() * (1 + 0.3 * e + k);
                events.add(
                        new DemoSummary.TextEvent(
                                "reader-" + k,
                                e + 1,
                                lines[k][e],
                                last ? 8 : 0,
                                1,
                                surprise,
                                surprise + 1e-7,
                                List.of(
                                        new DemoSummary.NextSymbol(" ", 0.41),
                                        new DemoSummary.NextSymbol("\n", 0.22),
                                        new DemoSummary.NextSymbol("<", 0.05)),
                                last ? "    }\n  " : null,
                                last));
            }
        }
        String text = "{\n  \"a\" (b)\n}\n";
        float[] rising = new float[text.length()];
        float[] falling = new float[text.length()];
        for (int t = 0; t < text.length(); t++) {
            rising[t] = (float) Math.tanh(0.3 * t - 1.5);
            falling[t] = -rising[t];
        }
        CellsFigures cells =
                new CellsFigures(
                        text,
                        List.of(
                                new CellsFigures.PropertyRow(
                                        "position in the line",
                                        List.of(
                                                new CellsFigures.RankedUnit("L0.c3", 0.71),
                                                new CellsFigures.RankedUnit("L0.h1", -0.52))),
                                new CellsFigures.PropertyRow("inside a comment", List.of())),
                        List.of(
                                new CellsFigures.Panel(
                                        "position in the line: unit L0.c3 (r = +0.710)", rising),
                                new CellsFigures.Panel("unit L0.h1", falling)));
        return new DemoSummary.LanguageModelRun(
                "code-lm",
                1,
                "LSTM, 1 layer(s) of 16 units, one-hot input over 96 characters",
                "this repository's Java sources (data/rnnstream-java)",
                16000,
                40,
                2.75,
                3.2,
                3,
                events,
                events.size(),
                1e-7,
                cells);
    }

    private static DemoSummary.UseCase motion() {
        Map<Long, long[][]> byVersion = new TreeMap<>();
        byVersion.put(1L, new long[][] {{2, 0, 0, 0}, {0, 1, 1, 0}, {0, 1, 0, 1}, {1, 0, 0, 1}});
        byVersion.put(2L, new long[][] {{2, 0, 0, 0}, {0, 2, 0, 0}, {0, 0, 2, 0}, {0, 1, 0, 1}});
        return new DemoSummary.UseCase(
                "motion",
                "BasicMotions, frame by frame per device",
                16,
                0.625,
                0.625,
                16,
                0,
                Map.of(1L, 8, 2L, 8),
                Map.of(1L, 0.5, 2L, 0.875),
                List.of("Standing", "Running", "Walking", "Badminton"),
                new long[][] {{4, 0, 0, 0}, {0, 3, 1, 0}, {0, 1, 2, 1}, {1, 1, 0, 2}},
                byVersion);
    }

    private static DemoSummary.UseCase sentiment() {
        return new DemoSummary.UseCase(
                "sentiment",
                "VADER movie snippets, word by word per conversation",
                60,
                0.7,
                0.7,
                60,
                0,
                Map.of(1L, 60),
                Map.of(1L, 0.7),
                List.of("negative", "<positive>"),
                new long[][] {{21, 9}, {9, 21}},
                Map.of(1L, new long[][] {{21, 9}, {9, 21}}));
    }

    private static List<DemoSummary.Latency> latencies() {
        List<DemoSummary.Latency> latencies = new ArrayList<>();
        for (int i = 0; i < 76; i++) {
            String model = i < 16 ? "motion" : "sentiment";
            long version = i < 8 ? 1 : (i < 16 ? 2 : 1);
            latencies.add(new DemoSummary.Latency(model, version, 700 + 70L * i, 900 + 70L * i));
        }
        return latencies;
    }

    private static List<DemoSummary.TimelinePoint> timeline() {
        List<DemoSummary.TimelinePoint> points = new ArrayList<>();
        for (int second = 20; second < 60; second++) {
            boolean sending = second < 24 || (second >= 42 && second < 46);
            points.add(
                    new DemoSummary.TimelinePoint(
                            second,
                            sending ? 400 : 0,
                            sending ? 9 : 1,
                            sending ? 380 : 20,
                            second < 21
                                    ? Map.of()
                                    : Map.of("motion", 0.5 + second / 200.0, "sentiment", 0.7)));
        }
        return points;
    }

    static Heatmap snippet() {
        List<String> words = List.of("a", "<b>good</b>", "film", "after", "all");
        return new Heatmap(
                "sentiment v1, chat-3/s12, actual <positive>",
                "<positive>",
                List.of("negative", "<positive>"),
                words,
                activations(8, words.size()),
                new float[][] {
                    {0.6f, 0.4f}, {0.3f, 0.7f}, {0.35f, 0.65f}, {0.5f, 0.5f}, {0.2f, 0.8f}
                });
    }

    private static Heatmap motionSequence() {
        int steps = 100;
        List<String> frames = new ArrayList<>();
        float[][] probabilities = new float[steps][];
        for (int t = 0; t < steps; t++) {
            frames.add(Integer.toString(t + 1));
            probabilities[t] =
                    t < 40
                            ? new float[] {0.1f, 0.2f, 0.6f, 0.1f}
                            : new float[] {0.1f, 0.7f, 0.1f, 0.1f};
        }
        return new Heatmap(
                "motion v2, device-1/s3, actual Running",
                "Running",
                List.of("Standing", "Running", "Walking", "Badminton"),
                frames,
                activations(24, steps),
                probabilities);
    }

    private static float[][] activations(int units, int steps) {
        float[][] values = new float[units][steps];
        for (int u = 0; u < units; u++) {
            for (int t = 0; t < steps; t++) {
                values[u][t] = (float) Math.sin(0.3 * u + 0.2 * t);
            }
        }
        return values;
    }
}
