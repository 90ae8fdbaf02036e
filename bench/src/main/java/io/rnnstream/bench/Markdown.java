package io.rnnstream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/** The suite's JSON result as a markdown report: machine, targets, per-event step, training. */
final class Markdown {

    private Markdown() {}

    static String render(JsonNode result) {
        StringBuilder md = new StringBuilder();
        JsonNode machine = result.get("machine");
        JsonNode load = result.get("loadAverage1m");
        md.append("# rnnstream benchmarks (")
                .append(result.get("mode").asText())
                .append(" run)\n\n");
        md.append("| machine | |\n|---|---|\n");
        row(md, "CPU", machine.get("cpu").asText() + " (" + machine.get("cpuFlags").asText() + ")");
        row(md, "cores", machine.get("cores").asText());
        row(md, "memory", machine.get("memoryGiB").asText() + " GiB");
        row(md, "JVM", machine.get("jvm").asText());
        row(md, "OS", machine.get("os").asText());
        row(
                md,
                "PyTorch",
                result.get("torchEnvironment").get("torch").asText()
                        + ", "
                        + result.get("torchEnvironment").get("threads").asText()
                        + " thread, BLAS "
                        + result.get("torchEnvironment").get("blas").toString());
        row(
                md,
                "run",
                result.get("startedAt").asText() + " to " + result.get("finishedAt").asText());
        row(
                md,
                "1-min load average",
                "before "
                        + load.get("before").asText()
                        + ", after "
                        + load.get("after").asText()
                        + MachineInfo.loadNote(
                                load.get("before").asDouble(),
                                load.get("after").asDouble(),
                                machine.get("cores").asInt()));
        JsonNode fma = result.get("fmaPeak");
        row(
                md,
                "FMA peak (e)",
                String.format(
                        Locale.ROOT,
                        "%.1f G FMA/s single precision, %d lanes",
                        fma.get("gigaFmaPerSecond").asDouble(),
                        fma.get("lanes").asInt()));

        md.append(
                "\n## Targets (LSTM 64/16 unless stated)\n\n| target | measure | value | threshold | met |\n|---|---|---|---|---|\n");
        for (JsonNode target : result.get("targets")) {
            md.append("| ")
                    .append(target.get("target").asText())
                    .append(" | ")
                    .append(target.get("measure").asText())
                    .append(" | ")
                    .append(target.get("value").isNull() ? "" : num(target.get("value").asDouble()))
                    .append(" | ")
                    .append(target.get("threshold").asText())
                    .append(" | ")
                    .append(
                            target.get("met").isNull()
                                    ? "not measured"
                                    : target.get("met").asBoolean() ? "**met**" : "not met")
                    .append(" |\n");
        }

        md.append("\n## Per-event step, µs per key-step (JMH medians; batch = 256 keys)\n\n");
        md.append(
                "The FMA bound uses the peak kernel's fastest iteration (a peak is what the core can");
        md.append(
                " do; other processes only slow an iteration down), every other figure is a median.");
        md.append(
                " rnnstream's step runs on the vector path (JVM with --add-modules jdk.incubator.vector,");
        md.append(
                " as deployed) and, in the scalar columns, on the fallback for JVMs without it.\n\n");
        md.append(
                "| cell | hidden | input | FMA bound (e) | rnnstream step (a) | rnnstream batched | rnnstream step, scalar | rnnstream batched, scalar | DL4J rnnTimeStep (b) | DL4J batch (c) | DL4J window 50 (d) | PyTorch one key (f) | PyTorch batch (f) |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (JsonNode step : result.get("step")) {
            md.append("| ")
                    .append(step.get("cell").asText())
                    .append(" | ")
                    .append(step.get("hidden").asInt())
                    .append(" | ")
                    .append(step.get("input").asInt());
            for (String field : BenchSuite.STEP_FIELDS) {
                md.append(" | ").append(num(step.get(field).asDouble()));
            }
            md.append(" |\n");
        }

        training(md, result.get("training"));
        return md.toString();
    }

    /** The training comparison: one row per DL4J variant tried, then PyTorch's runs. */
    static void training(StringBuilder md, JsonNode training) {
        md.append("\n## Training: ")
                .append(training.get("dataset").asText())
                .append(", ")
                .append(training.get("epochs").asInt())
                .append(" epochs, ")
                .append(training.get("recipe").asText())
                .append("\n\n");
        md.append(
                "Each configuration ran "
                        + training.get("rounds").asInt()
                        + " time(s), interleaved with PyTorch; figures are medians, each ratio the"
                        + " median of per-round ratios. The recipe's batch is "
                        + TrainingComparison.RECIPE_BATCH
                        + ".\n\n### Training variants\n\n");
        md.append(
                "| configuration | native build loaded | sequences/s | validation accuracy | test accuracy | DL4J / PyTorch, same batch | DL4J / PyTorch recipe |\n|---|---|---|---|---|---|---|\n");
        for (JsonNode run : training.get("dl4j")) {
            md.append("| DL4J ").append(run.get("configuration").asText()).append(" | ");
            if (run.has("skipped")) {
                md.append("not run: ").append(run.get("skipped").asText()).append(" | | | | | |\n");
                continue;
            }
            md.append(run.get("nativeLibrary").asText());
            cells(md, run, "sequencesPerSecond", "validationAccuracy", "testAccuracy");
            cells(md, run, "vsTorchSameBatch", "vsTorchRecipe");
            md.append(" |\n");
        }
        for (JsonNode run : training.get("torch")) {
            md.append("| PyTorch: batch ").append(run.get("batch").asInt()).append(", 1 thread | ");
            cells(md, run, "sequencesPerSecond", "validationAccuracy", "testAccuracy");
            md.append(" | | |\n");
        }
    }

    /** " | value" for each field of {@code run}, in order. */
    private static void cells(StringBuilder md, JsonNode run, String... fields) {
        for (String field : fields) {
            md.append(" | ").append(num(run.get(field).asDouble()));
        }
    }

    private static void row(StringBuilder md, String name, String value) {
        md.append("| ").append(name).append(" | ").append(value).append(" |\n");
    }

    private static String num(double value) {
        if (value >= 100) {
            return String.format(Locale.ROOT, "%.0f", value);
        }
        if (value >= 1) {
            return String.format(Locale.ROOT, "%.2f", value);
        }
        return String.format(Locale.ROOT, "%.3f", value);
    }
}
