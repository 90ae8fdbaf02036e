package io.rnnstream.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.data.Splits;
import io.rnnstream.core.data.TsReader;
import io.rnnstream.core.data.VaderReader;
import io.rnnstream.core.eval.Evaluator;
import io.rnnstream.core.model.TrainingOptions;
import io.rnnstream.core.train.SequenceTrainer;
import io.rnnstream.core.train.TrainedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Test accuracy of the trainer's defaults ({@code TrainingOptions.defaults()}, what {@code
 * rnnstream train} uses without options) on the shipped data sets, over several seeds, and of a
 * PyTorch LSTM of the same size with a plain recipe (Adam 1e-3, batch 32, no clipping or L2, the
 * best epoch on the same 15% validation split) on the same data (issue 16, item 5).
 *
 * <p>Arguments: {@code [--seeds 1,2,3] [--sets basicmotions,gunpoint,japanesevowels,vader]
 * [--torch-epochs 100] [--out DIR] [--data DIR] [--report NAME]}, {@code --torch-epochs 0} to leave
 * PyTorch out; a set {@code ts:PREFIX} is any data set in sktime's {@code .ts} format, {@code
 * PREFIX_TRAIN.ts} and {@code PREFIX_TEST.ts} (relative to the data directory or absolute). Writes
 * {@code <report>.json} and {@code .md}, {@code --report accuracy-defaults} unless given.
 *
 * <p>{@code --merge NAME,NAME... --report NAME [--out DIR]} joins reports of the output directory
 * that ran side by side (one process per core, each on some of the sets) into one.
 */
public final class DefaultsAccuracy {

    /** Marks a set given as the path prefix of an sktime {@code .ts} pair. */
    private static final String TS_PREFIX = "ts:";

    private DefaultsAccuracy() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = Arguments.parse(args);
        Path out = Path.of(options.getOrDefault("out", "bench/results"));
        String report = options.getOrDefault("report", "accuracy-defaults");
        if (options.containsKey("merge")) {
            merge(out, options.get("merge").trim().split("\\s*,\\s*"), report);
            return;
        }
        Path data = BenchSuite.dataDirectory(options);
        List<Long> seeds = new ArrayList<>();
        for (String seed : options.getOrDefault("seeds", "1,2,3").split(",")) {
            seeds.add(Long.parseLong(seed.trim()));
        }
        String[] sets =
                options.getOrDefault("sets", "basicmotions,gunpoint,japanesevowels,vader")
                        .trim()
                        .split("\\s*,\\s*");
        int torchEpochs = Integer.parseInt(options.getOrDefault("torch-epochs", "100"));
        Path work = Files.createTempDirectory("rnnstream-accuracy");
        Path log = work.resolve("runs.log");
        Path script = Processes.script("torch_train.py", work);
        Processes.script("torch_common.py", work);

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("startedAt", Instant.now().toString());
        result.put("machine", MachineInfo.describe());
        result.put("defaults", TrainingOptions.defaults().toString());
        result.put("torchEpochs", torchEpochs);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String set : sets) {
            Dataset[] parts = read(set, data);
            Map<String, Object> row = new LinkedHashMap<>();
            String name = name(set);
            row.put("dataset", name);
            List<Double> accuracies = new ArrayList<>();
            List<Double> seconds = new ArrayList<>();
            List<Double> torchAccuracies = new ArrayList<>();
            for (long seed : seeds) {
                TrainingOptions defaults =
                        TrainingOptions.defaults().toBuilder().seed(seed).build();
                long started = System.nanoTime();
                TrainedModel model = SequenceTrainer.train(parts[0], defaults, null);
                seconds.add((System.nanoTime() - started) / 1e9);
                accuracies.add(Evaluator.evaluate(model.classifier(), parts[1]).accuracy());
                if (torchEpochs > 0) {
                    Path exported = work.resolve(name + "-" + seed + ".json");
                    TrainingRun.export(parts[0], parts[1], defaults, exported);
                    JsonNode torch =
                            Processes.runForJson(
                                    List.of(
                                            Processes.python(),
                                            script.toString(),
                                            "--data",
                                            exported.toString(),
                                            "--epochs",
                                            "" + torchEpochs,
                                            "--batch",
                                            "32",
                                            "--lr",
                                            "0.001",
                                            "--clip",
                                            "1e9",
                                            "--l2",
                                            "0",
                                            "--seed",
                                            "" + seed),
                                    Map.of(),
                                    log);
                    torchAccuracies.add(torch.get("testAccuracy").asDouble());
                }
                System.out.printf(
                        Locale.ROOT,
                        "%s seed %d: %.3f in %.0f s%s%n",
                        set,
                        seed,
                        accuracies.get(accuracies.size() - 1),
                        seconds.get(seconds.size() - 1),
                        torchAccuracies.isEmpty()
                                ? ""
                                : String.format(
                                        Locale.ROOT,
                                        " (PyTorch plain recipe %.3f)",
                                        torchAccuracies.get(torchAccuracies.size() - 1)));
            }
            row.put("seeds", seeds);
            row.put("testAccuracy", accuracies);
            row.put("seconds", seconds);
            row.put("torchTestAccuracy", torchAccuracies);
            rows.add(row);
        }
        result.put("results", rows);
        result.put("finishedAt", Instant.now().toString());
        write(out, report, result);
    }

    /**
     * Joins the reports {@code parts} of {@code out} into {@code report}: their rows in the order
     * given, the first one's machine, the earliest start and the latest end. Reports of other
     * defaults or another PyTorch recipe are refused.
     */
    static void merge(Path out, String[] parts, String report) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        Map<String, Object> result = new LinkedHashMap<>();
        List<Map<String, Object>> rows = new ArrayList<>();
        JsonNode first = null;
        Instant started = Instant.MAX;
        Instant finished = Instant.MIN;
        for (String name : parts) {
            JsonNode part = mapper.readTree(out.resolve(name + ".json").toFile());
            if (part.path("torchEpochs").isMissingNode()) {
                throw new IllegalArgumentException(
                        name + ".json: no torchEpochs, a report written before --merge existed");
            }
            if (first == null) {
                first = part;
            } else {
                for (String field : List.of("defaults", "torchEpochs")) {
                    if (!part.path(field).equals(first.path(field))) {
                        throw new IllegalArgumentException(
                                name
                                        + ".json: "
                                        + field
                                        + " "
                                        + part.path(field)
                                        + " differs from "
                                        + parts[0]
                                        + ".json's "
                                        + first.path(field));
                    }
                }
            }
            for (JsonNode row : part.get("results")) {
                rows.add(mapper.convertValue(row, new TypeReference<Map<String, Object>>() {}));
            }
            started = min(started, Instant.parse(part.get("startedAt").asText()));
            finished = max(finished, Instant.parse(part.get("finishedAt").asText()));
        }
        result.put("startedAt", started.toString());
        result.put("machine", mapper.convertValue(first.get("machine"), Object.class));
        result.put("defaults", first.get("defaults").asText());
        result.put("torchEpochs", first.get("torchEpochs").asInt());
        result.put("mergedFrom", List.of(parts));
        result.put("results", rows);
        result.put("finishedAt", finished.toString());
        write(out, report, result);
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    @SuppressWarnings("unchecked")
    private static void write(Path out, String report, Map<String, Object> result)
            throws IOException {
        Files.createDirectories(out);
        Path json = out.resolve(report + ".json");
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(json.toFile(), result);
        Files.writeString(
                out.resolve(report + ".md"),
                render(
                        (List<Map<String, Object>>) result.get("results"),
                        (Integer) result.get("torchEpochs")));
        System.out.println("wrote " + json);
    }

    /** A set's name in the report: the file name of a {@code ts:} prefix. */
    private static String name(String set) {
        return set.startsWith(TS_PREFIX)
                ? Path.of(set.substring(TS_PREFIX.length())).getFileName().toString()
                : set;
    }

    /** Training and test parts: the sktime split, or VADER's stratified 80/20 with seed 42. */
    private static Dataset[] read(String set, Path data) throws Exception {
        return switch (set) {
            case "basicmotions" -> ts(data, "basicmotions/BasicMotions");
            case "gunpoint" -> ts(data, "gunpoint/GunPoint");
            case "japanesevowels" -> ts(data, "japanesevowels/JapaneseVowels");
            case "vader" -> {
                Dataset all =
                        VaderReader.read(
                                data.resolve(
                                        "vader-sentiment/movieReviewSnippets_GroundTruth.txt"));
                Splits.Split split = Splits.stratified(all, 0.2, 42);
                yield new Dataset[] {split.train(), split.holdout()};
            }
            default -> {
                if (!set.startsWith(TS_PREFIX)) {
                    throw new IllegalArgumentException(
                            "unknown data set "
                                    + set
                                    + "; expected basicmotions, gunpoint, japanesevowels, vader or"
                                    + " ts:PREFIX (PREFIX_TRAIN.ts and PREFIX_TEST.ts)");
                }
                yield ts(data, set.substring(TS_PREFIX.length()));
            }
        };
    }

    private static Dataset[] ts(Path data, String prefix) throws Exception {
        return new Dataset[] {
            TsReader.read(data.resolve(prefix + "_TRAIN.ts")),
            TsReader.read(data.resolve(prefix + "_TEST.ts"))
        };
    }

    private static String render(List<Map<String, Object>> rows, int torchEpochs) {
        StringBuilder md = new StringBuilder("# Test accuracy with the defaults\n\n");
        md.append(
                "`TrainingOptions.defaults()` (what `rnnstream train` uses without options), one"
                        + " row per data set, over the seeds listed; PyTorch: an LSTM of the same"
                        + " size, Adam 1e-3, batch 32, no clipping or L2, the best of "
                        + torchEpochs
                        + " epochs on the same validation split; for token input an embedding of"
                        + " the defaults' width over the vocabulary rnnstream builds, as"
                        + " rnnstream's token models have.\n\n");
        md.append(
                "| data set | seeds | rnnstream mean (min-max) | seconds (mean) | PyTorch plain recipe"
                        + " mean (min-max) |\n|---|---|---|---|---|\n");
        for (Map<String, Object> row : rows) {
            @SuppressWarnings("unchecked")
            List<Double> accuracy = (List<Double>) row.get("testAccuracy");
            @SuppressWarnings("unchecked")
            List<Double> seconds = (List<Double>) row.get("seconds");
            @SuppressWarnings("unchecked")
            List<Double> torch = (List<Double>) row.get("torchTestAccuracy");
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %s | %s | %.0f | %s |%n",
                            row.get("dataset"),
                            row.get("seeds"),
                            spread(accuracy),
                            seconds.stream().mapToDouble(Double::doubleValue).average().orElse(0),
                            torch.isEmpty() ? "not run" : spread(torch)));
        }
        return md.toString();
    }

    private static String spread(List<Double> values) {
        return String.format(
                Locale.ROOT,
                "%.3f (%.3f-%.3f)",
                values.stream().mapToDouble(Double::doubleValue).average().orElse(0),
                values.stream().mapToDouble(Double::doubleValue).min().orElse(0),
                values.stream().mapToDouble(Double::doubleValue).max().orElse(0));
    }
}
