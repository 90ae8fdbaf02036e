package io.rnnstream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Training throughput and accuracy, DL4J (through rnnstream's trainer) against PyTorch with the
 * same recipe, split and normalized data (issue 7, item 4). Every run is a separate process with
 * its own thread setting; the DL4J variants show what was tried.
 */
final class TrainingComparison {

    /** One DL4J configuration tried. */
    record Variant(int batch, int threads, String workspaces) {}

    private TrainingComparison() {}

    static Map<String, Object> run(boolean quick, Path dataDir, Path work, Path log)
            throws IOException, InterruptedException {
        String train = dataDir.resolve("japanesevowels/JapaneseVowels_TRAIN.ts").toString();
        String test = dataDir.resolve("japanesevowels/JapaneseVowels_TEST.ts").toString();
        int epochs = quick ? 1 : 15;
        String perClass = quick ? "4" : "0";
        List<Variant> variants =
                quick
                        ? List.of(new Variant(8, 1, "enabled"))
                        : List.of(
                                new Variant(8, 1, "enabled"),
                                new Variant(32, 1, "enabled"),
                                new Variant(8, 2, "enabled"),
                                new Variant(8, 1, "none"));
        List<Integer> torchBatches = quick ? List.of(8) : List.of(8, 32);

        List<String> dataArgs =
                List.of(
                        "--train",
                        train,
                        "--test",
                        test,
                        "--epochs",
                        "" + epochs,
                        "--per-class",
                        perClass);
        Path exported = work.resolve("training-data.json");
        List<String> exportArgs = new ArrayList<>(dataArgs);
        exportArgs.addAll(List.of("--batch", "8", "--export", exported.toString()));
        TrainingRun.main(exportArgs.toArray(new String[0]));

        List<JsonNode> dl4j = new ArrayList<>();
        for (Variant variant : variants) {
            List<String> runArgs = new ArrayList<>(dataArgs);
            runArgs.addAll(
                    List.of("--batch", "" + variant.batch(), "--workspaces", variant.workspaces()));
            List<String> command = Processes.javaCommand(TrainingRun.class.getName(), runArgs);
            dl4j.add(
                    Processes.runForJson(
                            command, Map.of("OMP_NUM_THREADS", "" + variant.threads()), log));
        }

        Path script = Processes.script("torch_train.py", work);
        Processes.script("torch_common.py", work);
        List<JsonNode> torch = new ArrayList<>();
        for (int batch : torchBatches) {
            torch.add(
                    Processes.runForJson(
                            List.of(
                                    Processes.python(),
                                    script.toString(),
                                    "--data",
                                    exported.toString(),
                                    "--epochs",
                                    "" + epochs,
                                    "--batch",
                                    "" + batch),
                            Map.of(),
                            log));
        }

        for (JsonNode run : dl4j) {
            for (JsonNode reference : torch) {
                if (reference.get("batch").asInt() == run.get("batch").asInt()) {
                    ((ObjectNode) run)
                            .put(
                                    "vsTorchSameBatch",
                                    run.get("sequencesPerSecond").asDouble()
                                            / reference.get("sequencesPerSecond").asDouble());
                }
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("dataset", "JapaneseVowels" + (quick ? " (first 4 per class)" : ""));
        out.put("epochs", epochs);
        out.put("recipe", "LSTM 64, last-step loss, full BPTT, Adam 0.005, clip 1.0, L2 1e-5");
        out.put("dl4j", dl4j);
        out.put("torch", torch);
        return out;
    }
}
