package io.rnnstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every measured figure the READMEs quote from a benchmark run is the figure of a committed results
 * file in {@code bench/results}: each check formats the quoted sentence from the results file's
 * JSON and looks for it in the README (whitespace and line breaks ignored). A figure edited by
 * hand, or a results file replaced without the README, fails here. One dynamic test per figure; its
 * name says which README quotes what, from which file.
 */
class ReadmeFiguresTest {

    /** A quoted sentence, with %s for each figure, and how the figures follow from the results. */
    private record Figure(
            String readme, String results, String quoted, Function<JsonNode, Object[]> figures) {}

    @TestFactory
    Stream<DynamicTest> everyQuotedFigureIsTheOneOfItsResultsFile() {
        return figures().stream()
                .map(
                        f ->
                                DynamicTest.dynamicTest(
                                        f.readme() + ": \"" + f.quoted() + "\" <- " + f.results(),
                                        () -> check(f)));
    }

    /** The lowest and highest per-round ratio at batch 32, bundled then machine's OpenBLAS. */
    private static Object[] batch32RoundSpread(JsonNode results) {
        JsonNode batch32 = results.get("recipe").get(1);
        double[] bundled = values(batch32.get("ratioEachRound"));
        double[] machine = values(batch32.get("ratioSystemBlasEachRound"));
        return fixed(2, min(bundled), max(bundled), min(machine), max(machine));
    }

    private static void check(Figure figure) throws IOException {
        Path root = CommittedResultsTest.results().getParent().getParent();
        String readme = normalize(Files.readString(root.resolve(figure.readme())));
        JsonNode results = CommittedResultsTest.read(figure.results());
        String expected =
                normalize(
                        String.format(
                                Locale.ROOT, figure.quoted(), figure.figures().apply(results)));
        assertThat(readme)
                .as("%s quotes from %s", figure.readme(), figure.results())
                .contains(expected);
    }

    private static List<Figure> figures() {
        List<Figure> all = new ArrayList<>();
        String readme = "README.md";
        String modelCore = "model-core/README.md";
        String benchReadme = "bench/README.md";

        String bench = "bench-full.json";
        all.add(
                new Figure(
                        benchReadme,
                        bench,
                        "an LSTM 64/16 step took %s µs for one key and %s µs per key batched"
                                + " (scalar fallback %s and %s)",
                        r ->
                                fixed(
                                        2,
                                        step(r, "servingStepUs"),
                                        step(r, "servingBatchStepUs"),
                                        step(r, "servingStepScalarUs"),
                                        step(r, "servingBatchStepScalarUs"))));
        all.add(
                new Figure(
                        readme,
                        bench,
                        "In the LSTM 64/16 step kernels, batched is %s µs per key against %s",
                        r -> fixed(2, step(r, "servingBatchStepUs"), step(r, "servingStepUs"))));
        all.add(
                new Figure(
                        benchReadme,
                        bench,
                        "That is %s times less than DL4J's `rnnTimeStep` (%s µs in this run), %s"
                                + " (one key) and %s (batched) times the FMA bound, and %s and %s"
                                + " times PyTorch's per-key cost on a batch of 256 (%s µs)",
                        r ->
                                new Object[] {
                                    fixed(0, target(r, 0)),
                                    fixed(0, step(r, "dl4jTimeStepUs")),
                                    fixed(1, target(r, 1)),
                                    fixed(1, target(r, 2)),
                                    fixed(2, target(r, 3)),
                                    fixed(2, target(r, 4)),
                                    fixed(2, step(r, "torchBatchUs"))
                                }));
        all.add(
                new Figure(
                        benchReadme,
                        bench,
                        "load average %s to %s with the suite's own processes",
                        r -> fixed(1, load(r, "before"), load(r, "after"))));
        all.add(
                new Figure(
                        benchReadme,
                        bench,
                        "the recipe (batch 8) ran at %s sequences/s against %s with `network.fit`"
                                + " in the same run, %s of PyTorch at the same batch, at test"
                                + " accuracy %s against PyTorch's %s",
                        r ->
                                new Object[] {
                                    fixed(0, dl4j(r, "recipe").get("sequencesPerSecond")),
                                    fixed(
                                            0,
                                            dl4j(r, "recipe, layer by layer")
                                                    .get("sequencesPerSecond")),
                                    fixed(2, dl4j(r, "recipe").get("vsTorchSameBatch")),
                                    fixed(3, dl4j(r, "recipe").get("testAccuracy")),
                                    fixed(
                                            3,
                                            r.get("training")
                                                    .get("torch")
                                                    .get(0)
                                                    .get("testAccuracy"))
                                }));

        String tbptt = "tbptt-full.json";
        for (int row = 0; row < 2; row++) {
            int index = row;
            all.add(
                    new Figure(
                            benchReadme,
                            tbptt,
                            "| JapaneseVowels recipe, batch %s (test accuracy) | %s seq/s (%s) | %s"
                                    + " seq/s (%s) | %s | %s seq/s | %s |",
                            r -> {
                                JsonNode recipe = r.get("recipe").get(index);
                                return new Object[] {
                                    recipe.get("batch").asInt(),
                                    grouped(recipe.get("rnnstream").get("sequencesPerSecond")),
                                    fixed(3, recipe.get("rnnstream").get("testAccuracy")),
                                    grouped(recipe.get("torch").get("sequencesPerSecond")),
                                    fixed(3, recipe.get("torch").get("testAccuracy")),
                                    fixed(2, recipe.get("ratio")),
                                    grouped(
                                            recipe.get("rnnstreamSystemBlas")
                                                    .get("sequencesPerSecond")),
                                    fixed(2, recipe.get("ratioSystemBlas"))
                                };
                            }));
        }
        all.add(
                new Figure(
                        benchReadme,
                        tbptt,
                        "32 streams (medians of 3 rounds) | %s chars/s | %s chars/s | %s | %s"
                                + " chars/s | %s |",
                        r ->
                                new Object[] {
                                    grouped(medianOf(r.get("longSequence").get("rnnstream"))),
                                    grouped(medianOf(r.get("longSequence").get("torch"))),
                                    fixed(2, r.get("longSequence").get("ratio")),
                                    grouped(
                                            medianOf(
                                                    r.get("longSequence")
                                                            .get("rnnstreamSystemBlas"))),
                                    fixed(2, r.get("longSequence").get("ratioSystemBlas"))
                                }));
        all.add(
                new Figure(
                        readme,
                        tbptt,
                        "On the long-sequence benchmark it is the difference between %s and %s of"
                                + " PyTorch's speed",
                        r ->
                                new Object[] {
                                    fixed(2, r.get("longSequence").get("ratio")),
                                    fixed(2, r.get("longSequence").get("ratioSystemBlas"))
                                }));
        all.add(
                new Figure(
                        benchReadme,
                        tbptt,
                        "at batch 32 the seven rounds' ratios ranged from %s to %s on the bundled"
                                + " OpenBLAS and from %s to %s on the machine's",
                        ReadmeFiguresTest::batch32RoundSpread));
        all.add(
                new Figure(
                        modelCore,
                        tbptt,
                        "at batch 32 the seven rounds' ratios spread from %s to %s on the bundled"
                                + " build and from %s to %s on the machine's",
                        ReadmeFiguresTest::batch32RoundSpread));
        all.add(
                new Figure(
                        benchReadme,
                        tbptt,
                        "was %s times that of 10,000 steps (%s against %s MiB",
                        r ->
                                new Object[] {
                                    fixed(2, r.get("memory").get("ratio")),
                                    grouped(mib(r, "long")),
                                    grouped(mib(r, "short"))
                                }));
        all.add(
                new Figure(
                        benchReadme,
                        tbptt,
                        "its own run, %s-%s UTC",
                        r ->
                                new Object[] {
                                    r.get("startedAt").asText().substring(11, 16),
                                    r.get("finishedAt").asText().substring(11, 16)
                                }));
        all.add(
                new Figure(
                        benchReadme,
                        tbptt,
                        "load average %s to %s on %s cores",
                        r ->
                                new Object[] {
                                    fixed(1, load(r, "before")),
                                    fixed(1, load(r, "after")),
                                    r.get("machine").get("cores").asInt()
                                }));
        all.add(
                new Figure(
                        modelCore,
                        tbptt,
                        "32 streams:** %s of PyTorch's characters per second on the OpenBLAS"
                                + " that ND4J bundles, **%s on the machine's own OpenBLAS**"
                                + " (`RNNSTREAM_BLAS=system`, Debian's `%s`, the library PyTorch"
                                + " runs on here; the three rounds gave %s, %s and %s). Per update"
                                + " %s ms forward, %s ms backward, %s ms output layer and loss, %s"
                                + " ms in DL4J's updater, against %s ms for PyTorch's whole update",
                        r -> {
                            JsonNode longSequence = r.get("longSequence");
                            JsonNode ours = last(longSequence.get("rnnstream"));
                            JsonNode breakdown = ours.get("breakdownMsPerUpdate");
                            JsonNode rounds = longSequence.get("ratioSystemBlasEachRound");
                            String library = r.get("systemOpenBlas").asText();
                            return new Object[] {
                                fixed(2, longSequence.get("ratio")),
                                fixed(2, longSequence.get("ratioSystemBlas")),
                                library.substring(library.lastIndexOf('/') + 1),
                                fixed(2, rounds.get(0)),
                                fixed(2, rounds.get(1)),
                                fixed(2, rounds.get(2)),
                                fixed(0, breakdown.get("forward")),
                                fixed(0, breakdown.get("backward")),
                                fixed(0, breakdown.get("output")),
                                fixed(0, breakdown.get("update")),
                                fixed(
                                        0,
                                        last(r.get("longSequence").get("torch")).get("msPerUpdate"))
                            };
                        }));
        all.add(
                new Figure(
                        modelCore,
                        tbptt,
                        "they take %s µs forward and %s µs backward in the OpenBLAS that ND4J"
                                + " bundles, %s and %s µs in the machine's, against %s and %s µs in"
                                + " PyTorch. At 100 steps a window that is %s ms of an update on the"
                                + " bundled build, %s ms on the machine's and %s ms in PyTorch",
                        r -> {
                            TbpttSuite.StepProducts ours =
                                    TbpttSuite.StepProducts.of(r.get("longSequence"), "rnnstream");
                            TbpttSuite.StepProducts onSystem =
                                    TbpttSuite.StepProducts.of(
                                            r.get("longSequence"), "rnnstreamSystemBlas");
                            TbpttSuite.StepProducts torch =
                                    TbpttSuite.StepProducts.of(r.get("longSequence"), "torch");
                            return new Object[] {
                                fixed(0, ours.forwardMicros()),
                                fixed(0, ours.backwardMicros()),
                                fixed(0, onSystem.forwardMicros()),
                                fixed(0, onSystem.backwardMicros()),
                                fixed(0, torch.forwardMicros()),
                                fixed(0, torch.backwardMicros()),
                                fixed(1, ours.millisPerUpdate()),
                                fixed(1, onSystem.millisPerUpdate()),
                                fixed(1, torch.millisPerUpdate())
                            };
                        }));
        all.add(
                new Figure(
                        modelCore,
                        tbptt,
                        "%s of PyTorch's sequences per second at batch 8, %s at batch 32, at the"
                                + " same test accuracy within a point (%s and %s on the machine's"
                                + " OpenBLAS",
                        r ->
                                fixed(
                                        2,
                                        r.get("recipe").get(0).get("ratio").asDouble(),
                                        r.get("recipe").get(1).get("ratio").asDouble(),
                                        r.get("recipe").get(0).get("ratioSystemBlas").asDouble(),
                                        r.get("recipe").get(1).get("ratioSystemBlas").asDouble())));
        all.add(
                new Figure(
                        modelCore,
                        tbptt,
                        "(at batch 32 the first epoch took %s ms and epochs 2-5 %s ms each, against"
                                + " %s and %s for PyTorch), and garbage collections pause a few"
                                + " epochs (%s s of the run at batch 32). The same training run a"
                                + " second time in the same process reaches %s of PyTorch at batch"
                                + " 8 and %s at batch 32",
                        r -> {
                            JsonNode batch32 = r.get("recipe").get(1);
                            JsonNode ours = batch32.get("epochPhases").get("rnnstream");
                            JsonNode torch = batch32.get("epochPhases").get("torch");
                            return new Object[] {
                                fixed(0, ours.get("firstMs")),
                                fixed(0, ours.get("secondToFifthMs")),
                                fixed(0, torch.get("firstMs")),
                                fixed(0, torch.get("secondToFifthMs")),
                                fixed(2, ours.get("gcSeconds")),
                                fixed(2, r.get("recipe").get(0).get("sameJvmRepeat").get("ratio")),
                                fixed(2, batch32.get("sameJvmRepeat").get("ratio"))
                            };
                        }));
        all.add(
                new Figure(
                        modelCore,
                        tbptt,
                        "peak resident set at 100,000 steps %s times that at 10,000",
                        r -> new Object[] {fixed(2, r.get("memory").get("ratio"))}));

        String lm = "lm-full.json";
        String lmDoc = "docs/language-models.md";
        all.add(
                new Figure(
                        readme,
                        lm,
                        "The model trains at %s of PyTorch's speed with the same recipe on the"
                                + " machine's own OpenBLAS (the default where one is installed) and at"
                                + " %s on the OpenBLAS that ND4J bundles",
                        ReadmeFiguresTest::languageModelSpeedRatios));
        all.add(
                new Figure(
                        lmDoc,
                        lm,
                        "rnnstream's models reach %s, %s and %s nats/char, mean %s; PyTorch's reach"
                                + " %s, %s and %s, mean %s: %s above it",
                        r -> {
                            JsonNode seeds = r.get("shakespeare").get("seeds");
                            List<Object> values = new ArrayList<>();
                            for (String side : new String[] {"rnnstream", "torch"}) {
                                for (JsonNode seed : seeds) {
                                    values.add(
                                            fixed(
                                                    4,
                                                    LanguageModelSuite.lastValidation(
                                                            seed.get(side))));
                                }
                                values.add(
                                        fixed(4, LanguageModelSuite.meanValidation(seeds, side)));
                            }
                            values.add(fixed(4, r.get("shakespeare").get("validationDifference")));
                            return values.toArray();
                        }));
        all.add(
                new Figure(
                        lmDoc,
                        lm,
                        "Training speed is %s of PyTorch's characters per second on the"
                                + " machine's own OpenBLAS and %s on the OpenBLAS that ND4J bundles",
                        ReadmeFiguresTest::languageModelSpeedRatios));
        all.add(
                new Figure(
                        lmDoc,
                        lm,
                        "with every bias started at 0 it ends at %s nats/char instead of %s, and"
                                + " its worst validation stream at %s instead of %s",
                        r -> {
                            JsonNode constant =
                                    last(
                                            r.get("shakespeare")
                                                    .get("torchConstantBiases")
                                                    .get("epochs"));
                            JsonNode own = last(r.get("shakespeare").get("torch").get("epochs"));
                            return new Object[] {
                                fixed(3, constant.get("validationNats")),
                                fixed(3, own.get("validationNats")),
                                fixed(2, constant.get("worstStreamNats")),
                                fixed(2, own.get("worstStreamNats"))
                            };
                        }));

        all.add(
                new Figure(
                        lmDoc,
                        "lm-path-full.json",
                        "measured %s µs against %s µs per event, a throughput ratio of %s",
                        r ->
                                new Object[] {
                                    fixed(1, r.get("languageModelUsPerEvent")),
                                    fixed(2, r.get("classifierUsPerEvent")),
                                    fixed(2, r.get("languageModelThroughputRelativeToClassifier"))
                                }));

        all.add(
                new Figure(
                        lmDoc,
                        "lm-seeds.json",
                        "the mean is %s, against %s for %s seeds of PyTorch's reference in the same"
                                + " file, none above 2.05: %s on the mean (target 0.02), %s on the"
                                + " median",
                        r -> {
                            JsonNode torch = r.get("torch");
                            double mean = r.get("meanValidationNats").asDouble();
                            double torchMean = torch.get("meanValidationNats").asDouble();
                            double median = r.get("medianValidationNats").asDouble();
                            double torchMedian = torch.get("medianValidationNats").asDouble();
                            return new Object[] {
                                fixed(4, mean),
                                fixed(4, torchMean),
                                torch.get("seeds").size(),
                                String.format(Locale.ROOT, "%+.3f", mean - torchMean),
                                String.format(Locale.ROOT, "%+.3f", median - torchMedian)
                            };
                        }));

        String accuracy = "accuracy-defaults.json";
        String moreSeeds = "accuracy-defaults-seeds-4-10.json";
        String[][] sets = {
            {"japanesevowels", "JapaneseVowels (0.96) | "},
            {"basicmotions", "BasicMotions (0.95) | "},
            {"gunpoint", "GunPoint (0.90) | "},
            {"vader", "movie snippets, 80/20 split with seed 42 (0.75) | "},
        };
        for (String[] set : sets) {
            // Seeds 1-3 from the first report, then seeds 1-10 with the second's seeds 4-10.
            all.add(
                    new Figure(
                            modelCore,
                            moreSeeds,
                            set[1] + "**%s** (%s-%s) | %s (%s-%s) | **%s** (%s-%s) | %s (%s-%s) |",
                            r ->
                                    seedsOneToThreeAndOneToTen(
                                            accuracyRow(committed(accuracy), set[0]),
                                            accuracyRow(r, set[0]))));
        }
        String sktimeSets = "accuracy-sktime-sets.json";
        for (String set : List.of("ItalyPowerDemand", "ArrowHead", "OSULeaf", "ACSF1", "PLAID")) {
            all.add(
                    new Figure(
                            modelCore,
                            "accuracy-sktime-sets-seeds-4-10.json",
                            "| " + set + " | %s (%s-%s) | %s (%s-%s) | %s (%s-%s) | %s (%s-%s) |",
                            r ->
                                    seedsOneToThreeAndOneToTen(
                                            accuracyRow(committed(sktimeSets), set),
                                            accuracyRow(r, set))));
        }

        String e2e = "e2e-full.json";
        all.add(
                new Figure(
                        benchReadme,
                        e2e,
                        "took %s µs per event batched and %s one key at a time on heap state (%s"
                                + " times), %s and %s µs on RocksDB (%s times",
                        r -> {
                            JsonNode heap = r.get("operator").get(0);
                            JsonNode rocks = r.get("operator").get(1);
                            return new Object[] {
                                fixed(2, heap.get("batchedUsPerEvent")),
                                fixed(2, heap.get("oneKeyUsPerEvent")),
                                fixed(1, heap.get("oneKeyOverBatched")),
                                fixed(0, rocks.get("batchedUsPerEvent")),
                                fixed(0, rocks.get("oneKeyUsPerEvent")),
                                fixed(1, rocks.get("oneKeyOverBatched"))
                            };
                        }));
        all.add(
                new Figure(
                        benchReadme,
                        e2e,
                        "the job kept %s to %s of the throughput of the same job serving a"
                                + " one-unit Elman model",
                        r -> {
                            double[] ratios = ratiosWithDefaultMemory(r);
                            return fixed(2, min(ratios), max(ratios));
                        }));
        all.add(
                new Figure(
                        benchReadme,
                        e2e,
                        "is the exception: %s events/s against the pass-through's %s (%s)",
                        r ->
                                new Object[] {
                                    grouped(
                                            round(
                                                    throughput(r, "lstm", "rocksdb", 1_000_000),
                                                    100)),
                                    grouped(
                                            round(
                                                    throughput(
                                                            r,
                                                            "pass-through",
                                                            "rocksdb",
                                                            1_000_000),
                                                    1000)),
                                    fixed(2, ratio(r, "rocksdb", 1_000_000))
                                }));
        all.add(
                new Figure(
                        benchReadme,
                        e2e,
                        "the same run the classifier kept %s (%s against %s events/s)",
                        r -> {
                            String backend = "rocksdb, 1.5 GB managed memory";
                            return new Object[] {
                                fixed(2, ratio(r, backend, 1_000_000)),
                                grouped(round(throughput(r, "lstm", backend, 1_000_000), 1000)),
                                grouped(
                                        round(
                                                throughput(r, "pass-through", backend, 1_000_000),
                                                1000))
                            };
                        }));
        all.add(
                new Figure(
                        benchReadme,
                        e2e,
                        "the classifier had %s times the throughput of DL4J's `network.output` over"
                                + " the window, and %s times that of rnnstream's own step",
                        r ->
                                new Object[] {
                                    fixed(
                                            0,
                                            r.get("recomputeRatios")
                                                    .get(0)
                                                    .get("classifierOverRecompute")),
                                    fixed(
                                            1,
                                            r.get("recomputeRatios")
                                                    .get(1)
                                                    .get("classifierOverRecompute"))
                                }));
        all.add(
                new Figure(
                        benchReadme,
                        e2e,
                        "with the job's defaults p50 %s s, p99 %s s (the 2-second out-of-orderness"
                                + " allowance); with out-of-orderness 0 alone p50 %s ms, p99 %s ms;"
                                + " with the low-latency settings (README, \"Latency\") p50 %s ms,"
                                + " p99 %s ms; at a tenth of the maximum rate p50 %s ms, p99 %s ms",
                        r ->
                                new Object[] {
                                    fixed(
                                            1,
                                            latency(
                                                            r,
                                                            "job defaults",
                                                            "at-least-once",
                                                            "appendMs",
                                                            "p50")
                                                    / 1000),
                                    fixed(
                                            1,
                                            latency(
                                                            r,
                                                            "job defaults",
                                                            "at-least-once",
                                                            "appendMs",
                                                            "p99")
                                                    / 1000),
                                    fixed(
                                            0,
                                            latency(
                                                    r,
                                                    "defaults, out-of-orderness 0",
                                                    "at-least-once",
                                                    "appendMs",
                                                    "p50")),
                                    fixed(
                                            0,
                                            latency(
                                                    r,
                                                    "defaults, out-of-orderness 0",
                                                    "at-least-once",
                                                    "appendMs",
                                                    "p99")),
                                    fixed(
                                            0,
                                            latency(
                                                    r,
                                                    "low latency",
                                                    "at-least-once",
                                                    "appendMs",
                                                    "p50")),
                                    fixed(
                                            0,
                                            latency(
                                                    r,
                                                    "low latency",
                                                    "at-least-once",
                                                    "appendMs",
                                                    "p99")),
                                    fixed(
                                            0,
                                            latency(
                                                    r,
                                                    "low latency, max / 10",
                                                    "at-least-once",
                                                    "appendMs",
                                                    "p50")),
                                    fixed(
                                            0,
                                            latency(
                                                    r,
                                                    "low latency, max / 10",
                                                    "at-least-once",
                                                    "appendMs",
                                                    "p99"))
                                }));
        all.add(
                new Figure(
                        readme,
                        e2e,
                        "p50 %s ms and p99 %s ms from sending the last event to the result's append"
                                + " at half the maximum rate (%s events/s); p50 %s ms, p99 %s ms at"
                                + " a tenth of it. Changing one setting back: watermarks every 10 ms"
                                + " p50 %s ms, p99 %s ms; checkpoints every second p99 %s ms (max %s"
                                + " ms). With the defaults: p50 %s s.",
                        r -> {
                            String alo = "at-least-once";
                            String every = "low latency, checkpoints every 1 s";
                            return new Object[] {
                                fixed(0, latency(r, "low latency", alo, "appendMs", "p50")),
                                fixed(0, latency(r, "low latency", alo, "appendMs", "p99")),
                                grouped(round(halfMaximum(r), 1000)),
                                fixed(
                                        0,
                                        latency(
                                                r,
                                                "low latency, max / 10",
                                                alo,
                                                "appendMs",
                                                "p50")),
                                fixed(
                                        0,
                                        latency(
                                                r,
                                                "low latency, max / 10",
                                                alo,
                                                "appendMs",
                                                "p99")),
                                fixed(
                                        0,
                                        latency(
                                                r,
                                                "low latency, watermarks every 10 ms",
                                                alo,
                                                "appendMs",
                                                "p50")),
                                fixed(
                                        0,
                                        latency(
                                                r,
                                                "low latency, watermarks every 10 ms",
                                                alo,
                                                "appendMs",
                                                "p99")),
                                fixed(0, latency(r, every, alo, "appendMs", "p99")),
                                fixed(0, latency(r, every, alo, "appendMs", "max")),
                                fixed(1, latency(r, "job defaults", alo, "appendMs", "p50") / 1000)
                            };
                        }));
        all.add(
                new Figure(
                        benchReadme,
                        e2e,
                        "p50 %s s with 10-second checkpoints, %s s with 1-second ones",
                        r ->
                                fixed(
                                        1,
                                        latency(
                                                        r,
                                                        "job defaults",
                                                        "exactly-once",
                                                        "visibleMs",
                                                        "p50")
                                                / 1000,
                                        latency(
                                                        r,
                                                        "low latency, checkpoints every 1 s",
                                                        "exactly-once",
                                                        "visibleMs",
                                                        "p50")
                                                / 1000)));
        all.add(
                new Figure(
                        readme,
                        e2e,
                        "at half the maximum rate p99 was %s ms batched and %s ms one key at a time",
                        r ->
                                fixed(
                                        0,
                                        latency(
                                                r,
                                                "low latency",
                                                "at-least-once",
                                                "appendMs",
                                                "p99"),
                                        latency(
                                                r,
                                                "low latency, one key at a time",
                                                "at-least-once",
                                                "appendMs",
                                                "p99"))));
        all.add(
                new Figure(
                        benchReadme,
                        "e2e-full-state.json",
                        "a savepoint holds %s bytes per key with an open LSTM-64 sequence (a million"
                                + " keys: %s MB), %s beyond the 512 bytes",
                        r -> {
                            JsonNode heap = r.get("state").get(0);
                            return new Object[] {
                                fixed(0, heap.get("bytesPerKey")),
                                fixed(0, heap.get("savepointBytes").asDouble() / 1e6),
                                fixed(1, heap.get("bytesPerKeyBeyondHiddenState"))
                            };
                        }));
        all.add(
                new Figure(
                        benchReadme,
                        "e2e-full-state-format1.json",
                        "state format 1 of the run before took %s",
                        r ->
                                new Object[] {
                                    fixed(
                                            1,
                                            r.get("state")
                                                    .get(0)
                                                    .get("bytesPerKeyBeyondHiddenState"))
                                }));
        all.add(
                new Figure(
                        benchReadme,
                        e2e,
                        "Restoring a million keys on heap took %s s from submission until every"
                                + " task ran (%s s without state); 100,000 keys on RocksDB %s s (%s"
                                + " s)",
                        r -> {
                            JsonNode heap = r.get("state").get(0);
                            JsonNode rocks = r.get("state").get(1);
                            return fixed(
                                    1,
                                    startMs(heap, "startFromSavepoint") / 1000,
                                    startMs(heap, "startWithoutState") / 1000,
                                    startMs(rocks, "startFromSavepoint") / 1000,
                                    startMs(rocks, "startWithoutState") / 1000);
                        }));

        all.add(
                new Figure(
                        readme,
                        "e2e-full-batching.json",
                        "gave batched / one-key throughput ratios of %s, %s and %s on heap and %s,"
                                + " %s and %s on RocksDB",
                        r -> {
                            List<Object> figures = new ArrayList<>();
                            for (String backend : List.of("hashmap", "rocksdb")) {
                                for (double ratio : batchingRatiosByRound(r, backend)) {
                                    figures.add(fixed(2, ratio));
                                }
                            }
                            return figures.toArray();
                        }));
        addDemo(all, readme);
        addSoak(all, benchReadme);
        addShadows(all, benchReadme);
        addMillionKeys(all, benchReadme);
        // The soak repeated after language-model versions moved onto the registry.
        all.add(soakVerdict(benchReadme, "soak-10min.json"));
        addFailingSoak(all, benchReadme);
        return all;
    }

    /**
     * The million-key cases in rounds: the job's RocksDB options against Flink's own, and more
     * managed memory (bench/README.md).
     */
    private static void addMillionKeys(List<Figure> all, String benchReadme) {
        all.add(
                new Figure(
                        benchReadme,
                        "e2e-full-million.json",
                        "the classifier kept %s of the pass-through's throughput with a local"
                                + " environment's 128 MiB of managed memory, against %s with"
                                + " Flink's own options (Snappy, no filters) in the same rounds."
                                + " With the %s MiB Flink gives the Helm chart's 2048m TaskManager"
                                + " for its two slots it kept %s, and with 1.5 GB %s.",
                        r -> {
                            String chart = EndToEndSuite.ROCKSDB_CHART_MEMORY;
                            return new Object[] {
                                fixed(2, millionRatio(r, "rocksdb")),
                                fixed(2, millionRatio(r, EndToEndSuite.ROCKSDB_FLINK_OPTIONS)),
                                millionRow(r, "lstm", chart).get("managedMemoryMiB").asInt(),
                                fixed(2, millionRatio(r, chart)),
                                fixed(2, millionRatio(r, EndToEndSuite.ROCKSDB_LARGE_CACHE))
                            };
                        }));
    }

    private static JsonNode millionRow(JsonNode result, String model, String backend) {
        for (JsonNode row : result.get("throughput")) {
            if (row.get("model").asText().equals(model)
                    && row.get("backend").asText().equals(backend)
                    && row.get("keys").asInt() == 1_000_000) {
                return row;
            }
        }
        throw new AssertionError("no million-key row " + model + " on " + backend);
    }

    /** The median over the rounds of the million-key ratios on {@code backend}. */
    private static double millionRatio(JsonNode result, String backend) {
        List<Double> ratios = new ArrayList<>();
        for (JsonNode ratio : result.get("ratios")) {
            if (ratio.get("backend").asText().equals(backend)
                    && ratio.get("keys").asInt() == 1_000_000) {
                ratios.add(ratio.get("classifierOverPassThrough").asDouble());
            }
        }
        if (ratios.isEmpty()) {
            throw new AssertionError("no million-key ratio on " + backend);
        }
        return TrainingSummary.median(ratios.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** A soak's verdict counts, as bench/README.md quotes them from {@code soak}. */
    private static Figure soakVerdict(String benchReadme, String soak) {
        return new Figure(
                benchReadme,
                soak,
                "%s sequences expected, %s results received: %s lost, %s duplicated, %s"
                        + " mismatched, %s unexpected",
                r -> {
                    JsonNode verdict = r.get("verdict");
                    return new Object[] {
                        grouped(verdict.get("expected")),
                        grouped(verdict.get("received")),
                        verdict.get("lost").asInt(),
                        verdict.get("duplicated").asInt(),
                        verdict.get("mismatched").asInt(),
                        verdict.get("unexpected").asInt()
                    };
                });
    }

    /** What a shadow costs (bench/README.md, "Shadows"). */
    private static void addShadows(List<Figure> all, String benchReadme) {
        String shadow = "e2e-full-shadow.json";
        all.add(
                new Figure(
                        benchReadme,
                        shadow,
                        "with one shadow the job kept %s of its throughput without on heap state"
                                + " and %s on RocksDB, with two %s and %s (medians of three rounds)",
                        r ->
                                fixed(
                                        2,
                                        medianShadowRatio(r, "hashmap", 1),
                                        medianShadowRatio(r, "rocksdb", 1),
                                        medianShadowRatio(r, "hashmap", 2),
                                        medianShadowRatio(r, "rocksdb", 2))));
        all.add(
                new Figure(
                        benchReadme,
                        shadow,
                        "The single ratios range from %s to %s with one shadow",
                        r -> {
                            double[] one = shadowRatios(r, null, 1);
                            return fixed(2, min(one), max(one));
                        }));
        all.add(
                new Figure(
                        benchReadme,
                        shadow,
                        "as much as %s classifier events",
                        r ->
                                new Object[] {
                                    fixed(
                                            0,
                                            r.get("shadowCost")
                                                    .get("rows")
                                                    .get(0)
                                                    .get("evaluationInClassifierEvents"))
                                }));
        all.add(
                new Figure(
                        benchReadme,
                        shadow,
                        "a shadow adds %s bytes per key to a savepoint",
                        r -> new Object[] {fixed(1, r.get("shadowStateBytesPerKey"))}));
        all.add(
                new Figure(
                        benchReadme,
                        shadow,
                        "the classifier operator alone took %s µs per event on heap state without a"
                                + " shadow and %s with one; the live evaluation took %s µs per"
                                + " labelled sequence",
                        r -> {
                            JsonNode heap = r.get("shadowCost").get("rows").get(0);
                            assertThat(heap.get("backend").asText()).isEqualTo("hashmap");
                            return fixed(
                                    2,
                                    heap.get("noShadowUsPerEvent").asDouble(),
                                    heap.get("oneShadowUsPerEvent").asDouble(),
                                    heap.get("evaluationUsPerLabelledSequence").asDouble());
                        }));
    }

    private static double medianShadowRatio(JsonNode result, String backend, int shadows) {
        return TrainingSummary.median(shadowRatios(result, backend, shadows));
    }

    /** The per-round shadow ratios of {@code backend} (null: every backend). */
    private static double[] shadowRatios(JsonNode result, String backend, int shadows) {
        List<Double> ratios = new ArrayList<>();
        for (JsonNode ratio : result.get("shadowRatios")) {
            if ((backend == null || ratio.get("backend").asText().equals(backend))
                    && ratio.get("shadows").asInt() == shadows) {
                ratios.add(ratio.get("withShadowsOverNone").asDouble());
            }
        }
        return ratios.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The soak's counts, fault schedule and recoveries (bench/README.md, "Soak"). */
    private static void addSoak(List<Figure> all, String benchReadme) {
        String soak = "soak-30min.json";
        all.add(soakVerdict(benchReadme, soak));
        all.add(
                new Figure(
                        benchReadme,
                        soak,
                        "%s events at %s events/s over %s keys (seed %s), %s faults",
                        r ->
                                new Object[] {
                                    grouped(r.get("load").get("events")),
                                    r.get("settings").get("eventsPerSecond").asInt(),
                                    grouped(r.get("settings").get("keys")),
                                    r.get("settings").get("seed").asInt(),
                                    r.get("faultSchedule").size()
                                }));
        all.add(
                new Figure(
                        benchReadme,
                        soak,
                        "recovery took %s to %s s after a TaskManager kill, %s to %s s after a"
                                + " broker restart and %s to %s s for a savepoint and resume",
                        r ->
                                new Object[] {
                                    fixed(1, recovery(r, "TASK_MANAGER_KILL", Math::min)),
                                    fixed(1, recovery(r, "TASK_MANAGER_KILL", Math::max)),
                                    fixed(1, recovery(r, "BROKER_RESTART", Math::min)),
                                    fixed(1, recovery(r, "BROKER_RESTART", Math::max)),
                                    fixed(1, recovery(r, "SAVEPOINT_RESUME", Math::min)),
                                    fixed(1, recovery(r, "SAVEPOINT_RESUME", Math::max))
                                }));
        all.add(
                new Figure(
                        benchReadme,
                        soak,
                        "load average %s during the run (mean; highest %s)",
                        r ->
                                fixed(
                                        1,
                                        r.get("loadAverage1mDuringRun").get("mean").asDouble(),
                                        r.get("loadAverage1mDuringRun").get("max").asDouble())));
    }

    /** The soak with at-least-once delivery, which must fail on duplicates. */
    private static void addFailingSoak(List<Figure> all, String benchReadme) {
        all.add(
                new Figure(
                        benchReadme,
                        "soak-3min-at-least-once.json",
                        "the same soak fails: a 3-minute run (`soak-3min-at-least-once.md`) had %s"
                                + " duplicated results, %s lost and %s mismatched",
                        r ->
                                new Object[] {
                                    grouped(r.get("verdict").get("duplicated")),
                                    r.get("verdict").get("lost").asInt(),
                                    r.get("verdict").get("mismatched").asInt()
                                }));
    }

    /** The lowest or highest recovery time of the soak's faults of one kind. */
    private static double recovery(
            JsonNode soak, String kind, java.util.function.DoubleBinaryOperator pick) {
        return soak.get("faultSchedule").findParents("kind").stream()
                .filter(f -> f.get("kind").asText().equals(kind))
                .mapToDouble(f -> f.get("recoverySeconds").asDouble())
                .reduce(pick)
                .orElseThrow();
    }

    /** The demo's summary block and the retraining gate's scores, from one full demo run. */
    private static void addDemo(List<Figure> all, String readme) {
        String demo = "demo-full.json";
        all.add(
                new Figure(
                        readme,
                        demo,
                        "rnnstream demo summary (full mode, %s s)",
                        r -> new Object[] {fixed(0, r.get("seconds"))}));
        for (int index = 0; index < 2; index++) {
            int i = index;
            all.add(
                    new Figure(
                            readme,
                            demo,
                            "%s %s %s %s %s/%s %s",
                            r -> {
                                JsonNode useCase = r.get("useCases").get(i);
                                return new Object[] {
                                    useCase.get("model").asText(),
                                    useCase.get("sequences").asInt(),
                                    fixed(3, useCase.get("streamedAccuracy")),
                                    fixed(3, useCase.get("offlineAccuracy")),
                                    useCase.get("agreeing").asInt(),
                                    useCase.get("sequences").asInt(),
                                    versions(useCase)
                                };
                            }));
        }
        all.add(
                new Figure(
                        readme,
                        demo,
                        "throughput: %s events sent in %s s (%s events/s); %s s from the first event"
                                + " to the last classification (%s events/s)",
                        r -> {
                            double events = r.get("events").asDouble();
                            double send = r.get("sendSeconds").asDouble();
                            double replay = r.get("replaySeconds").asDouble();
                            return new Object[] {
                                fixed(0, events),
                                fixed(1, send),
                                fixed(0, events / send),
                                fixed(1, replay),
                                fixed(0, events / replay)
                            };
                        }));
        all.add(
                new Figure(
                        readme,
                        demo,
                        "result appended: p50 %s ms, p99 %s ms (%s sequences) latency, last event"
                                + " sent -> visible (read_committed): p50 %s ms, p99 %s ms",
                        r ->
                                new Object[] {
                                    fixed(0, r.get("appendLatencyMs").get("p50")),
                                    fixed(0, r.get("appendLatencyMs").get("p99")),
                                    r.get("appendLatencyMs").get("count").asInt(),
                                    fixed(0, r.get("visibleLatencyMs").get("p50")),
                                    fixed(0, r.get("visibleLatencyMs").get("p99"))
                                }));
        all.add(
                new Figure(
                        readme,
                        demo,
                        "retraining %s on %s labelled sequences from Kafka: %s in %s s, version %s"
                                + " published",
                        r -> {
                            JsonNode retraining = r.get("retraining");
                            return new Object[] {
                                retraining.get("model").asText(),
                                retraining.get("labelledSequences").asInt(),
                                retraining.get("decision").asText(),
                                fixed(0, retraining.get("seconds")),
                                retraining.get("publishedVersion").asInt()
                            };
                        }));
        all.add(
                new Figure(
                        readme,
                        demo,
                        "`demo-full-retrain-report.json`: %s min %s s with the project already built",
                        r -> {
                            long seconds = Math.round(r.get("seconds").asDouble());
                            return new Object[] {seconds / 60, seconds % 60};
                        }));
        all.add(
                new Figure(
                        readme,
                        "demo-full-retrain-report.json",
                        "compared the two on the %s test sequences: %s (95%% Wilson interval %s-%s)"
                                + " against %s (%s-%s)",
                        r ->
                                new Object[] {
                                    r.get("holdoutSequences").asInt(),
                                    fixed(3, r.get("candidateScore")),
                                    fixed(3, r.get("candidateAccuracyInterval95").get(0)),
                                    fixed(3, r.get("candidateAccuracyInterval95").get(1)),
                                    fixed(3, r.get("serviceScore")),
                                    fixed(3, r.get("serviceAccuracyInterval95").get(0)),
                                    fixed(3, r.get("serviceAccuracyInterval95").get(1))
                                }));
    }

    /** {@code v1: 20 (0.450), v2: 20 (0.850)}: sequences and offline accuracy per version. */
    private static String versions(JsonNode useCase) {
        List<String> versions = new ArrayList<>();
        JsonNode accuracy = useCase.get("offlineAccuracyByVersion");
        useCase.get("sequencesByVersion")
                .fields()
                .forEachRemaining(
                        e ->
                                versions.add(
                                        String.format(
                                                Locale.ROOT,
                                                "v%s: %d (%s)",
                                                e.getKey(),
                                                e.getValue().asInt(),
                                                fixed(3, accuracy.get(e.getKey())))));
        return String.join(", ", versions);
    }

    /** The batched over one-key ratios of {@code backend}, round by round. */
    private static double[] batchingRatiosByRound(JsonNode result, String backend) {
        List<JsonNode> ratios = new ArrayList<>();
        result.get("batchingRatios").forEach(ratios::add);
        return ratios.stream()
                .filter(r -> r.get("backend").asText().equals(backend))
                .sorted(java.util.Comparator.comparingInt(r -> r.get("round").asInt()))
                .mapToDouble(r -> r.get("batchedOverOneKey").asDouble())
                .toArray();
    }

    private static double step(JsonNode result, String field) {
        for (JsonNode row : result.get("step")) {
            if (row.get("cell").asText().equals("LSTM")
                    && row.get("hidden").asInt() == 64
                    && row.get("input").asInt() == 16) {
                return row.get(field).asDouble();
            }
        }
        throw new AssertionError("no LSTM 64/16 step row");
    }

    private static double target(JsonNode result, int index) {
        return result.get("targets").get(index).get("value").asDouble();
    }

    private static double load(JsonNode result, String when) {
        return result.get("loadAverage1m").get(when).asDouble();
    }

    private static JsonNode dl4j(JsonNode result, String variant) {
        for (JsonNode run : result.get("training").get("dl4j")) {
            if (run.get("variant").asText().equals(variant)) {
                return run;
            }
        }
        throw new AssertionError("no DL4J variant " + variant);
    }

    private static double medianOf(JsonNode runs) {
        double[] values = new double[runs.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = runs.get(i).get("charactersPerSecond").asDouble();
        }
        Arrays.sort(values);
        assertThat(values.length % 2).as("an odd number of rounds").isOne();
        return values[values.length / 2];
    }

    private static JsonNode last(JsonNode array) {
        return array.get(array.size() - 1);
    }

    private static double mib(JsonNode result, String run) {
        return result.get("memory").get(run).get("peakResidentBytes").asDouble() / (1 << 20);
    }

    private static JsonNode accuracyRow(JsonNode result, String dataset) {
        for (JsonNode row : result.get("results")) {
            if (row.get("dataset").asText().equals(dataset)) {
                return row;
            }
        }
        throw new AssertionError("no accuracy row for " + dataset);
    }

    private static double[] ratiosWithDefaultMemory(JsonNode result) {
        List<Double> ratios = new ArrayList<>();
        for (JsonNode row : result.get("ratios")) {
            boolean millionOnRocksDb =
                    row.get("backend").asText().startsWith("rocksdb")
                            && row.get("keys").asInt() == 1_000_000;
            // The README gives the million-key RocksDB rows separately, as the exception.
            if (!millionOnRocksDb) {
                ratios.add(row.get("classifierOverPassThrough").asDouble());
            }
        }
        return ratios.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double throughput(JsonNode result, String model, String backend, int keys) {
        for (JsonNode row : result.get("throughput")) {
            if (row.get("model").asText().equals(model)
                    && row.get("backend").asText().equals(backend)
                    && row.get("keys").asInt() == keys) {
                return row.get("eventsPerSecond").asDouble();
            }
        }
        throw new AssertionError("no throughput row " + model + " " + backend + " " + keys);
    }

    private static double ratio(JsonNode result, String backend, int keys) {
        for (JsonNode row : result.get("ratios")) {
            if (row.get("backend").asText().equals(backend) && row.get("keys").asInt() == keys) {
                return row.get("classifierOverPassThrough").asDouble();
            }
        }
        throw new AssertionError("no ratio row " + backend + " " + keys);
    }

    private static double latency(
            JsonNode result, String setup, String delivery, String measure, String quantile) {
        for (JsonNode row : result.get("latency")) {
            if (row.get("setup").asText().equals(setup)
                    && row.get("delivery").asText().equals(delivery)) {
                return row.get(measure).get(quantile).asDouble();
            }
        }
        throw new AssertionError("no latency row " + setup + " " + delivery);
    }

    private static double halfMaximum(JsonNode result) {
        for (JsonNode row : result.get("latency")) {
            if (row.get("setup").asText().equals("low latency")) {
                return row.get("targetEventsPerSecond").asDouble();
            }
        }
        throw new AssertionError("no low-latency row");
    }

    private static double startMs(JsonNode state, String start) {
        return state.get(start).get("submitToRunningMs").asDouble();
    }

    /** A committed results file, for a figure that draws on two. */
    private static JsonNode committed(String file) {
        try {
            return CommittedResultsTest.read(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Mean, min and max over seeds 1-3 ({@code first}), of ours and then PyTorch's, then the same
     * over seeds 1-10 ({@code first} with {@code more}'s seeds 4-10).
     */
    private static Object[] seedsOneToThreeAndOneToTen(JsonNode first, JsonNode more) {
        double[] ours = values(first.get("testAccuracy"));
        double[] torch = values(first.get("torchTestAccuracy"));
        double[] allOurs = concat(ours, values(more.get("testAccuracy")));
        double[] allTorch = concat(torch, values(more.get("torchTestAccuracy")));
        return fixed(
                3,
                mean(ours),
                min(ours),
                max(ours),
                mean(torch),
                min(torch),
                max(torch),
                mean(allOurs),
                min(allOurs),
                max(allOurs),
                mean(allTorch),
                min(allTorch),
                max(allTorch));
    }

    private static double[] concat(double[] first, double[] second) {
        double[] all = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        return all;
    }

    private static double[] values(JsonNode array) {
        double[] values = new double[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).asDouble();
        }
        return values;
    }

    private static double mean(double[] values) {
        return Arrays.stream(values).average().orElseThrow();
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElseThrow();
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElseThrow();
    }

    private static double round(double value, int to) {
        return Math.round(value / to) * (double) to;
    }

    private static String grouped(JsonNode value) {
        return grouped(value.asDouble());
    }

    private static String grouped(double value) {
        return String.format(Locale.ROOT, "%,.0f", value);
    }

    /** The language model's speed ratios, on the bundled and on the machine's OpenBLAS. */
    /** The language model's speed ratios: on the machine's OpenBLAS (the default), then bundled. */
    private static Object[] languageModelSpeedRatios(JsonNode lm) {
        JsonNode shakespeare = lm.get("shakespeare");
        return fixed(
                2,
                shakespeare.get("speedRatioSystemBlas").asDouble(),
                shakespeare.get("speedRatio").asDouble());
    }

    private static String fixed(int decimals, JsonNode value) {
        return fixed(decimals, value.asDouble());
    }

    private static String fixed(int decimals, double value) {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    private static Object[] fixed(int decimals, double... values) {
        return Arrays.stream(values).mapToObj(v -> fixed(decimals, v)).toArray();
    }

    private static String normalize(String text) {
        return text.replaceAll("\\s+", " ");
    }
}
