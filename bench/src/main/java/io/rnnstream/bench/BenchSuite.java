package io.rnnstream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole benchmark suite in one run (issue 7): the per-event step of every contender with the
 * FMA-peak kernel (JMH), PyTorch's step, and the training comparison; then the targets,
 * each as measured. Writes {@code bench-<mode>.json} and {@code bench-<mode>.md} into the output
 * directory.
 *
 * <p>Arguments: {@code [--quick] [--out DIR] [--data DIR]}; {@code --data} is the repository's
 * {@code data/} directory (found above the working directory by default).
 */
public final class BenchSuite {

    /** Per-event figures of each model shape, microseconds per key-step, in report order. */
    static final List<String> STEP_FIELDS =
            List.of(
                    "fmaBoundUs",
                    "servingStepUs",
                    "servingBatchStepUs",
                    "servingStepScalarUs",
                    "servingBatchStepScalarUs",
                    "dl4jTimeStepUs",
                    "dl4jBatchStepUs",
                    "dl4jWindowRecomputeUs",
                    "torchOneKeyUs",
                    "torchBatchUs");

    private BenchSuite() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = Arguments.parse(args);
        boolean quick = options.containsKey("quick");
        Path out = Path.of(options.getOrDefault("out", "bench/results"));
        Path report = run(quick, out, dataDirectory(options));
        System.out.println("wrote " + report + " and " + markdownFile(report));
    }

    /** Runs everything and returns the JSON file written. */
    static Path run(boolean quick, Path out, Path data) throws Exception {
        Files.createDirectories(out);
        String mode = quick ? "quick" : "full";
        Path work = Files.createDirectories(out.resolve("work-" + mode));
        Path log = work.resolve("helpers.log");
        Files.deleteIfExists(log);

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("mode", mode);
        result.put("startedAt", Instant.now().toString());
        result.put("machine", MachineInfo.describe());
        double loadBefore = MachineInfo.loadAverage();

        List<StepSuite.Shape> shapes = StepSuite.shapes(quick);
        StepSuite.Result steps = StepSuite.run(quick, work);
        JsonNode torchSteps = TorchSteps.run(shapes, quick, work, log);
        Map<String, Object> training = TrainingComparison.run(quick, data, work, log);

        result.put("finishedAt", Instant.now().toString());
        result.put(
                "loadAverage1m", Map.of("before", loadBefore, "after", MachineInfo.loadAverage()));
        result.put("torchEnvironment", torchSteps.get("environment"));
        Map<String, Object> fma = new LinkedHashMap<>();
        fma.put("lanes", FmaPeakBenchmark.lanes());
        fma.put("nanosPerFma", steps.nanosPerFma());
        fma.put("gigaFmaPerSecond", 1 / steps.nanosPerFma());
        result.put("fmaPeak", fma);
        List<Map<String, Object>> rows = stepRows(shapes, steps, torchSteps);
        result.put("step", rows);
        result.put("training", training);
        result.put("targets", Targets.evaluate(rows, training));

        Path json = out.resolve("bench-" + mode + ".json");
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(json.toFile(), result);
        Files.writeString(
                markdownFile(json), Markdown.render(new ObjectMapper().readTree(json.toFile())));
        return json;
    }

    static Path markdownFile(Path json) {
        String name = json.getFileName().toString().replaceAll("\\.json$", ".md");
        return json.resolveSibling(name);
    }

    private static List<Map<String, Object>> stepRows(
            List<StepSuite.Shape> shapes, StepSuite.Result steps, JsonNode torch) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (StepSuite.Shape shape : shapes) {
            Map<String, Double> medians = steps.medians().get(shape);
            if (medians == null) {
                throw new IllegalStateException("JMH returned no result for " + shape.key());
            }
            long macs = StepModel.multiplyAdds(shape.cell(), shape.hidden(), shape.input());
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("cell", shape.cell().name());
            row.put("hidden", shape.hidden());
            row.put("input", shape.input());
            row.put("multiplyAdds", macs);
            row.put("fmaBoundUs", macs * steps.nanosPerFma() / 1000);
            for (String contender : StepSuite.CONTENDERS) {
                row.put(contender + "Us", medians.get(contender));
            }
            JsonNode reference = TorchSteps.find(torch, shape);
            row.put("torchOneKeyUs", reference.get("oneKeyUs").asDouble());
            row.put("torchBatchUs", reference.get("batchUs").asDouble());
            rows.add(row);
        }
        return rows;
    }

    /** {@code --data}, or the repository's {@code data/} found from the working directory. */
    static Path dataDirectory(Map<String, String> options) {
        return options.containsKey("data") ? Path.of(options.get("data")) : findDataDirectory();
    }

    static Path findDataDirectory() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("data/japanesevowels"))) {
                return dir.resolve("data");
            }
        }
        throw new IllegalStateException(
                "data/japanesevowels not found above the working directory; pass --data DIR");
    }
}
