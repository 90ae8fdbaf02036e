package io.rnnstream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.rnnstream.core.train.OpenBlasLibrary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Truncated-BPTT training against PyTorch in one run, each side in its own process, rounds
 * interleaved and every ratio taken within a round before the median (issue 16, items 3 and 4):
 *
 * <ul>
 *   <li>the JapaneseVowels recipe (LSTM 64, full BPTT) at batch 8 and 32, sequences per second and
 *       test accuracy, against {@code torch_train.py} at the same batch;
 *   <li>the long-sequence case (LSTM 256 on one-hot characters, windows of 100 steps, 32 streams of
 *       tinyshakespeare), characters per second and where an update's time goes, against {@code
 *       torch_tbptt.py};
 *   <li>peak resident set training one stream of 10,000 and of 100,000 steps in windows of 100,
 *       each in a fresh JVM with a fixed, pre-touched heap so that the heap's growth does not
 *       count.
 * </ul>
 *
 * <p>Where the machine has an OpenBLAS of its own, rnnstream's speed runs go twice in each round:
 * on the OpenBLAS ND4J bundles and on the machine's ({@code RNNSTREAM_BLAS=system}), the library
 * PyTorch runs on; each run reports the OpenBLAS files it mapped.
 *
 * <p>Arguments: {@code [--quick] [--out DIR] [--data DIR]}; writes {@code tbptt-<mode>.json} and
 * {@code .md} to {@code --out}.
 */
public final class TbpttSuite {

    /** The peak-memory target: the 100,000-step run within this factor of the 10,000-step one. */
    static final double MEMORY_TOLERANCE = 1.10;

    /**
     * Rounds of the JapaneseVowels recipe in a full run: each process trains for well under a
     * second, and from process to process its speed varies by about a tenth on either side.
     */
    static final int RECIPE_ROUNDS = 7;

    static final String BUNDLED = "bundled";

    static final String SYSTEM = "system";

    /**
     * Whether this machine has an OpenBLAS of its own: then rnnstream also runs on it, the library
     * PyTorch runs on here, beside the bundled one.
     */
    static final boolean SYSTEM_BLAS = OpenBlasLibrary.systemLibrary().isPresent();

    private TbpttSuite() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = Arguments.parse(args);
        Path out = Path.of(options.getOrDefault("out", "bench/results"));
        Path data = BenchSuite.dataDirectory(options);
        System.out.println("wrote " + run(options.containsKey("quick"), out, data));
    }

    static Path run(boolean quick, Path out, Path data) throws Exception {
        Files.createDirectories(out);
        Path work = Files.createTempDirectory("rnnstream-tbptt");
        Path log = work.resolve("runs.log");
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("mode", quick ? "quick" : "full");
        result.put("startedAt", Instant.now().toString());
        result.put("machine", MachineInfo.describe());
        double loadBefore = MachineInfo.loadAverage();
        int rounds = quick ? 1 : 3;

        OpenBlasLibrary.systemLibrary()
                .ifPresent(file -> result.put("systemOpenBlas", realPath(file)));
        result.put("recipe", recipe(quick, quick ? 1 : RECIPE_ROUNDS, data, work, log));
        result.put("longSequence", longSequence(quick, rounds, data, work, log));
        result.put("memory", memory(quick, log));

        Map<String, Object> load = new LinkedHashMap<>();
        load.put("before", loadBefore);
        load.put("after", MachineInfo.loadAverage());
        result.put("loadAverage1m", load);
        result.put("finishedAt", Instant.now().toString());
        Path json = out.resolve("tbptt-" + (quick ? "quick" : "full") + ".json");
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(json.toFile(), result);
        Files.writeString(
                out.resolve("tbptt-" + (quick ? "quick" : "full") + ".md"),
                render(new ObjectMapper().readTree(json.toFile())));
        return json;
    }

    /** The JapaneseVowels recipe at batch 8 and 32 on both sides. */
    private static List<Map<String, Object>> recipe(
            boolean quick, int rounds, Path data, Path work, Path log) throws Exception {
        int epochs = TrainingComparison.epochs(quick);
        List<String> dataArgs = TrainingComparison.dataArgs(quick, data);
        Path exported = TrainingComparison.exportForTorch(dataArgs, work);
        // Each rnnstream process trains twice: the first run is the figure, the second shows what
        // of it went to the JVM's warm-up.
        List<String> trainArgs = new ArrayList<>(dataArgs);
        trainArgs.addAll(List.of("--repeat", "2"));
        Path script = Processes.script("torch_train.py", work);
        Processes.script("torch_common.py", work);

        List<Map<String, Object>> rows = new ArrayList<>();
        for (int batch : quick ? List.of(8) : List.of(8, 32)) {
            TrainingComparison.Variant variant =
                    TrainingComparison.Variant.recipe().with("batch " + batch, batch, 1, "enabled");
            List<JsonNode> ours = new ArrayList<>();
            List<JsonNode> oursOnSystemBlas = new ArrayList<>();
            List<JsonNode> torch = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                torch.add(TrainingComparison.torchRun(script, exported, epochs, batch, log));
                ours.add(TrainingComparison.dl4jRun(variant, null, trainArgs, BUNDLED, log));
                if (SYSTEM_BLAS) {
                    oursOnSystemBlas.add(
                            TrainingComparison.dl4jRun(variant, null, trainArgs, SYSTEM, log));
                }
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("batch", batch);
            row.put("epochs", epochs);
            row.put("rnnstream", TrainingSummary.of(ours));
            row.put("torch", TrainingSummary.of(torch));
            double[] ratios = TrainingSummary.ratiosEachRound(ours, torch, "sequencesPerSecond");
            row.put("ratio", TrainingSummary.median(ratios));
            row.put("ratioEachRound", ratios);
            Map<String, Object> phases = new LinkedHashMap<>();
            phases.put("rnnstream", EpochPhases.medians(ours));
            phases.put("torch", EpochPhases.medians(torch));
            row.put("epochPhases", phases);
            row.put("sameJvmRepeat", sameJvmRepeat(ours, torch));
            if (SYSTEM_BLAS) {
                row.put("rnnstreamSystemBlas", TrainingSummary.of(oursOnSystemBlas));
                double[] systemRatios =
                        TrainingSummary.ratiosEachRound(
                                oursOnSystemBlas, torch, "sequencesPerSecond");
                row.put("ratioSystemBlas", TrainingSummary.median(systemRatios));
                row.put("ratioSystemBlasEachRound", systemRatios);
            }
            rows.add(row);
        }
        return rows;
    }

    /**
     * The second training of each rnnstream process against the same round's PyTorch run: its
     * sequences per second each round, the median, and the median of the per-round ratios.
     */
    private static Map<String, Object> sameJvmRepeat(List<JsonNode> ours, List<JsonNode> torch) {
        List<JsonNode> repeats = ours.stream().map(r -> r.get("sameJvmRepeat")).toList();
        Map<String, Object> summary = new LinkedHashMap<>();
        double[] speeds =
                repeats.stream().mapToDouble(r -> r.get("sequencesPerSecond").asDouble()).toArray();
        summary.put("sequencesPerSecondEachRun", speeds);
        summary.put("sequencesPerSecond", TrainingSummary.median(speeds));
        summary.put("phases", EpochPhases.medians(repeats));
        summary.put("ratio", TrainingSummary.medianRatio(repeats, torch));
        return summary;
    }

    /** Characters per second on the long-sequence case, and rnnstream's per-update breakdown. */
    private static Map<String, Object> longSequence(
            boolean quick, int rounds, Path data, Path work, Path log) throws Exception {
        String text = data.resolve("tinyshakespeare/input.txt").toString();
        int warmup = quick ? 1 : 5;
        int updates = quick ? 2 : 30;
        int hidden = quick ? 64 : 256;
        Path script = Processes.script("torch_tbptt.py", work);
        Processes.script("torch_common.py", work);
        List<JsonNode> ours = new ArrayList<>();
        List<JsonNode> torch = new ArrayList<>();
        List<JsonNode> oursOnSystemBlas = new ArrayList<>();
        List<JsonNode> ourProducts = new ArrayList<>();
        List<JsonNode> ourSystemProducts = new ArrayList<>();
        List<JsonNode> torchProducts = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            torch.add(
                    torchTbptt(
                            script,
                            text,
                            hidden,
                            log,
                            "--warmup",
                            "" + warmup,
                            "--updates",
                            "" + updates));
            List<String> speedArgs =
                    List.of(
                            "--mode",
                            "speed",
                            "--text",
                            text,
                            "--hidden",
                            "" + hidden,
                            "--warmup",
                            "" + warmup,
                            "--updates",
                            "" + updates);
            ours.add(ourRun(TbpttRun.class, speedArgs, BUNDLED, log));
            if (SYSTEM_BLAS) {
                oursOnSystemBlas.add(ourRun(TbpttRun.class, speedArgs, SYSTEM, log));
            }
            // The per-step products alone, each side's BLAS with the same shapes and layouts.
            torchProducts.add(torchTbptt(script, text, hidden, log, "--product"));
            List<String> productArgs = List.of("--hidden", "" + hidden);
            ourProducts.add(ourRun(StepProductRun.class, productArgs, BUNDLED, log));
            if (SYSTEM_BLAS) {
                ourSystemProducts.add(ourRun(StepProductRun.class, productArgs, SYSTEM, log));
            }
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("hidden", hidden);
        row.put("window", 100);
        row.put("streams", 32);
        row.put("timedUpdates", updates);
        row.put("rnnstream", ours);
        row.put("torch", torch);
        double[] ratios = TrainingSummary.ratiosEachRound(ours, torch, "charactersPerSecond");
        row.put("ratioEachRound", ratios);
        row.put("ratio", TrainingSummary.median(ratios));
        Map<String, Object> products = new LinkedHashMap<>();
        products.put("rnnstream", ourProducts);
        products.put("torch", torchProducts);
        if (SYSTEM_BLAS) {
            double[] systemRatios =
                    TrainingSummary.ratiosEachRound(oursOnSystemBlas, torch, "charactersPerSecond");
            row.put("rnnstreamSystemBlas", oursOnSystemBlas);
            row.put("ratioSystemBlasEachRound", systemRatios);
            row.put("ratioSystemBlas", TrainingSummary.median(systemRatios));
            products.put("rnnstreamSystemBlas", ourSystemProducts);
        }
        row.put("stepProducts", products);
        return row;
    }

    /**
     * One run of an rnnstream bench program in its own JVM, one thread, on OpenBLAS {@code blas}.
     */
    private static JsonNode ourRun(Class<?> program, List<String> args, String blas, Path log)
            throws Exception {
        return Processes.runForJson(
                Processes.javaCommand(program.getName(), args),
                Map.of("OMP_NUM_THREADS", "1", OpenBlasLibrary.ENVIRONMENT, blas),
                log);
    }

    /**
     * One run of {@code torch_tbptt.py} on {@code text} at {@code hidden} units, with {@code more}.
     */
    private static JsonNode torchTbptt(
            Path script, String text, int hidden, Path log, String... more) throws Exception {
        List<String> command =
                new ArrayList<>(
                        List.of(
                                Processes.python(),
                                script.toString(),
                                "--text",
                                text,
                                "--hidden",
                                "" + hidden));
        command.addAll(List.of(more));
        return Processes.runForJson(command, Map.of(), log);
    }

    /** Peak resident set for one stream of 10,000 and of 100,000 steps. */
    private static Map<String, Object> memory(boolean quick, Path log) throws Exception {
        Map<String, Object> row = new LinkedHashMap<>();
        int shortSteps = quick ? 1_000 : 10_000;
        int longSteps = quick ? 10_000 : 100_000;
        int hidden = quick ? 64 : 256;
        JsonNode small = memoryRun(shortSteps, hidden, log);
        JsonNode large = memoryRun(longSteps, hidden, log);
        row.put("hidden", hidden);
        row.put("window", 100);
        row.put("short", small);
        row.put("long", large);
        double ratio =
                large.get("peakResidentBytes").asDouble()
                        / small.get("peakResidentBytes").asDouble();
        row.put("ratio", ratio);
        row.put("withinTolerance", ratio <= MEMORY_TOLERANCE);
        return row;
    }

    private static JsonNode memoryRun(int steps, int hidden, Path log) throws Exception {
        return Processes.runForJson(
                Processes.javaCommand(
                        TbpttRun.class.getName(),
                        List.of("--mode", "memory", "--steps", "" + steps, "--hidden", "" + hidden),
                        List.of("-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch"),
                        List.of()),
                Map.of("OMP_NUM_THREADS", "1", OpenBlasLibrary.ENVIRONMENT, BUNDLED),
                log);
    }

    /**
     * One side's per-step products in the long-sequence case: the medians over rounds of its
     * forward and backward product, in microseconds, and what they make of an update's time.
     */
    record StepProducts(double forwardMicros, double backwardMicros, double millisPerUpdate) {

        /** {@code side} ("rnnstream" or "torch") of a report's long-sequence section. */
        static StepProducts of(JsonNode longSequence, String side) {
            JsonNode runs = longSequence.get("stepProducts").get(side);
            double forward = TrainingSummary.median(runs, "forwardMicros");
            double backward = TrainingSummary.median(runs, "backwardMicros");
            // One forward and one backward product a step.
            return new StepProducts(
                    forward,
                    backward,
                    longSequence.get("window").asInt() * (forward + backward) / 1000);
        }
    }

    /** The BLAS library PyTorch reported loading, by file name. */
    private static String torchBlas(JsonNode runs) {
        JsonNode blas = runs.get(0).path("environment").path("blas");
        String last = blas.size() == 0 ? "BLAS not reported" : blas.get(blas.size() - 1).asText();
        return last.substring(last.lastIndexOf('/') + 1);
    }

    private static String realPath(Path file) {
        try {
            return file.toRealPath().toString();
        } catch (java.io.IOException e) {
            return file.toString();
        }
    }

    /** A figure formatted, or a dash where the run did not measure it. */
    private static String figure(JsonNode value, String format) {
        return value.isNumber() ? String.format(Locale.ROOT, format, value.asDouble()) : "-";
    }

    private static String fileName(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static String memoryRow(JsonNode run) {
        return String.format(
                Locale.ROOT,
                "| %d | %.0f MiB | %.0f MiB | %.0f MiB |%n",
                run.get("steps").asInt(),
                run.get("peakResidentBytes").asDouble() / (1 << 20),
                run.get("peakResidentFirstHalfBytes").asDouble() / (1 << 20),
                run.get("peakResidentSecondHalfBytes").asDouble() / (1 << 20));
    }

    /** The recipe's epochs by phase on both sides, with rnnstream's collector pauses. */
    private static String epochPhases(JsonNode recipe) {
        StringBuilder md =
                new StringBuilder(
                        "\nWhere the recipe's time went, ms per epoch (medians of the rounds; an"
                                + " epoch is its updates and the validation pass):\n\n"
                                + "| batch | side | epoch 1 | epochs 2-"
                                + EpochPhases.SECOND_PHASE_END
                                + " | later epochs | rnnstream's GC pauses, whole run |\n"
                                + "|---|---|---|---|---|---|\n");
        for (JsonNode row : recipe) {
            for (String side : new String[] {"rnnstream", "torch"}) {
                JsonNode phases = row.get("epochPhases").get(side);
                md.append(
                        String.format(
                                Locale.ROOT,
                                "| %d | %s | %s | %s |%n",
                                row.get("batch").asInt(),
                                side.equals("torch") ? "PyTorch" : side,
                                phaseCells(phases),
                                figure(phases.path("gcSeconds"), "%.2f s")));
            }
        }
        return md.toString();
    }

    /** The recipe's ratios round by round, where the run recorded them. */
    private static String roundRatios(JsonNode recipe) {
        StringBuilder md = new StringBuilder();
        for (JsonNode row : recipe) {
            if (!row.has("ratioEachRound")) {
                continue;
            }
            md.append(
                    String.format(
                            Locale.ROOT,
                            "%nBatch %d, ratio each round: %s on the bundled OpenBLAS",
                            row.get("batch").asInt(),
                            joined(row.get("ratioEachRound"))));
            if (row.has("ratioSystemBlasEachRound")) {
                md.append("; ").append(joined(row.get("ratioSystemBlasEachRound")));
                md.append(" on the machine's");
            }
            md.append(".\n");
        }
        return md.toString();
    }

    private static String joined(JsonNode ratios) {
        List<String> each = new ArrayList<>();
        for (JsonNode ratio : ratios) {
            each.add(String.format(Locale.ROOT, "%.2f", ratio.asDouble()));
        }
        return String.join(", ", each);
    }

    /** The epoch 1, epochs 2-5 and later-epochs cells of a table row, ms per epoch. */
    private static String phaseCells(JsonNode phases) {
        return figure(phases.path("firstMs"), "%.1f")
                + " | "
                + figure(phases.path("secondToFifthMs"), "%.1f")
                + " | "
                + figure(phases.path("laterMs"), "%.1f");
    }

    /** The recipe's second training in each rnnstream process, against PyTorch. */
    private static String secondRuns(JsonNode recipe) {
        StringBuilder md = new StringBuilder();
        md.append(
                "\nThe same training a second time in the same rnnstream process (its code compiled"
                        + " by the first), against the same round's PyTorch run:\n\n"
                        + "| batch | rnnstream seq/s, second run | ratio | epoch 1 | epochs 2-"
                        + EpochPhases.SECOND_PHASE_END
                        + " | later epochs |\n|---|---|---|---|---|---|\n");
        for (JsonNode row : recipe) {
            JsonNode repeat = row.get("sameJvmRepeat");
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %d | %.0f | **%.2f** | %s |%n",
                            row.get("batch").asInt(),
                            repeat.get("sequencesPerSecond").asDouble(),
                            repeat.get("ratio").asDouble(),
                            phaseCells(repeat.get("phases"))));
        }
        return md.toString();
    }

    static String render(JsonNode result) {
        StringBuilder md = new StringBuilder();
        md.append("# Truncated-BPTT training against PyTorch (")
                .append(result.get("mode").asText())
                .append(" run)\n\n");
        md.append(ResultFiles.runLine(result))
                .append(
                        " Each side in its own process, one thread, rounds interleaved; ratios"
                                + " are medians of per-round ratios. rnnstream runs on each"
                                + " OpenBLAS: ND4J's bundled build (`RNNSTREAM_BLAS=bundled`, the"
                                + " default on a machine without one of its own) and, where the"
                                + " machine has one, the machine's (the default there, and the"
                                + " library PyTorch runs on).\n\n");
        md.append("## JapaneseVowels recipe (LSTM 64, full BPTT)\n\n");
        md.append(
                "| batch | rnnstream on the bundled OpenBLAS, seq/s | PyTorch seq/s | ratio |"
                        + " rnnstream test acc | PyTorch test acc | rnnstream on the machine's"
                        + " OpenBLAS, seq/s | ratio |\n"
                        + "|---|---|---|---|---|---|---|---|\n");
        for (JsonNode row : result.get("recipe")) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %d | %.0f | %.0f | **%.2f** | %.3f | %.3f | %s | %s |%n",
                            row.get("batch").asInt(),
                            row.get("rnnstream").get("sequencesPerSecond").asDouble(),
                            row.get("torch").get("sequencesPerSecond").asDouble(),
                            row.get("ratio").asDouble(),
                            row.get("rnnstream").get("testAccuracy").asDouble(),
                            row.get("torch").get("testAccuracy").asDouble(),
                            figure(
                                    row.path("rnnstreamSystemBlas").path("sequencesPerSecond"),
                                    "%.0f"),
                            figure(row.path("ratioSystemBlas"), "**%.2f**")));
        }
        md.append(roundRatios(result.get("recipe")));
        md.append(epochPhases(result.get("recipe")));
        md.append(secondRuns(result.get("recipe")));
        JsonNode longSequence = result.get("longSequence");
        md.append(
                String.format(
                        Locale.ROOT,
                        "%n## Long sequences (LSTM %d, one-hot characters, windows of %d, %d"
                                + " streams)%n%n",
                        longSequence.get("hidden").asInt(),
                        longSequence.get("window").asInt(),
                        longSequence.get("streams").asInt()));
        md.append(
                "| round | rnnstream on the bundled OpenBLAS, chars/s | PyTorch chars/s | ratio |"
                        + " rnnstream on the machine's OpenBLAS, chars/s | ratio |\n"
                        + "|---|---|---|---|---|---|\n");
        for (int round = 0; round < longSequence.get("rnnstream").size(); round++) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %d | %.0f | %.0f | %.2f | %s | %s |%n",
                            round + 1,
                            longSequence
                                    .get("rnnstream")
                                    .get(round)
                                    .get("charactersPerSecond")
                                    .asDouble(),
                            longSequence
                                    .get("torch")
                                    .get(round)
                                    .get("charactersPerSecond")
                                    .asDouble(),
                            longSequence.get("ratioEachRound").get(round).asDouble(),
                            figure(
                                    longSequence
                                            .path("rnnstreamSystemBlas")
                                            .path(round)
                                            .path("charactersPerSecond"),
                                    "%.0f"),
                            figure(
                                    longSequence.path("ratioSystemBlasEachRound").path(round),
                                    "%.2f")));
        }
        if (longSequence.has("ratioSystemBlas")) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "%nOn the machine's OpenBLAS, the default here and the library"
                                    + " PyTorch runs on, the median ratio is **%.2f**.%n",
                            longSequence.get("ratioSystemBlas").asDouble()));
        }
        md.append(
                String.format(
                        Locale.ROOT,
                        "%nOn the bundled OpenBLAS, median ratio **%.2f**. Where an rnnstream"
                                + " update's time went there (ms, last round): %s; PyTorch's whole"
                                + " update: %.1f ms.%n",
                        longSequence.get("ratio").asDouble(),
                        longSequence
                                .get("rnnstream")
                                .get(longSequence.get("rnnstream").size() - 1)
                                .get("breakdownMsPerUpdate"),
                        longSequence
                                .get("torch")
                                .get(longSequence.get("torch").size() - 1)
                                .get("msPerUpdate")
                                .asDouble()));
        if (longSequence.has("stepProducts")) {
            StepProducts ours = StepProducts.of(longSequence, "rnnstream");
            StepProducts torch = StepProducts.of(longSequence, "torch");
            md.append(
                    String.format(
                            Locale.ROOT,
                            "%nThe per-step matrix products alone (%d streams, hidden %d; forward"
                                    + " h RW, backward dGates RW^T, each side's BLAS with the operand"
                                    + " layouts its trainer uses; µs per product, median over rounds"
                                    + " of the best of five): rnnstream (OpenBLAS bundled with ND4J)"
                                    + " %.0f forward, %.0f backward; PyTorch (%s) %.0f forward, %.0f"
                                    + " backward. At %d steps a window, that is %.1f ms of an"
                                    + " rnnstream update against %.1f ms of PyTorch's.%n",
                            longSequence.get("streams").asInt(),
                            longSequence.get("hidden").asInt(),
                            ours.forwardMicros(),
                            ours.backwardMicros(),
                            torchBlas(longSequence.get("stepProducts").get("torch")),
                            torch.forwardMicros(),
                            torch.backwardMicros(),
                            longSequence.get("window").asInt(),
                            ours.millisPerUpdate(),
                            torch.millisPerUpdate()));
            if (longSequence.get("stepProducts").has("rnnstreamSystemBlas")) {
                StepProducts onSystem = StepProducts.of(longSequence, "rnnstreamSystemBlas");
                md.append(
                        String.format(
                                Locale.ROOT,
                                "rnnstream's products on the system's OpenBLAS (%s): %.0f"
                                        + " forward, %.0f backward, %.1f ms of an update.%n",
                                fileName(result.path("systemOpenBlas").asText("not reported")),
                                onSystem.forwardMicros(),
                                onSystem.backwardMicros(),
                                onSystem.millisPerUpdate()));
            }
        }
        JsonNode memory = result.get("memory");
        md.append(
                String.format(
                        Locale.ROOT,
                        "%n## Peak memory (one stream, LSTM %d, windows of %d; fixed 1 GiB heap)%n%n"
                                + "| steps | peak resident set | peak, first half of the run |"
                                + " peak, second half |%n|---|---|---|---|%n%s%s%nRatio of the"
                                + " peaks **%.3f** (target: at most %.2f).%n",
                        memory.get("hidden").asInt(),
                        memory.get("window").asInt(),
                        memoryRow(memory.get("short")),
                        memoryRow(memory.get("long")),
                        memory.get("ratio").asDouble(),
                        MEMORY_TOLERANCE));
        return md.toString();
    }
}
