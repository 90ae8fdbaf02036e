package io.rnnstream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.rnnstream.core.train.OpenBlasLibrary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Training throughput and accuracy, DL4J (through rnnstream's trainer) against PyTorch with the
 * same recipe, split and normalized data (issue 7, item 4), and every DL4J lever the issue names
 * (batch size, BLAS threads, workspaces, ND4J's AVX2, AVX-512 and oneDNN native builds, JavaCPP's
 * per-allocation resident-size check, which the trainer turns off) plus the trainer's two gradient
 * engines (its own windowed engine, the default, and {@code MultiLayerNetwork.fit} layer by layer),
 * each as a variant of the recipe in its own JVM.
 *
 * <p>The machine is shared, so the full run goes round all variants and both PyTorch batches
 * several times, interleaved, and reports medians; each DL4J/PyTorch ratio is taken within one
 * round before the median is. The native builds are the {@code nd4j-native} classifier jars that
 * {@code bench/run} copies into {@code bench/target/nd4j-builds}; a build whose jar is missing is
 * reported as not run, with the reason.
 */
final class TrainingComparison {

    /** The recipe's batch size, as in {@code TrainingOptions.defaults()}. */
    static final int RECIPE_BATCH = 8;

    /** Where {@code bench/run} puts the ND4J native builds the full run compares. */
    static final Path NATIVE_BUILDS = Path.of("bench/target/nd4j-builds");

    /**
     * One DL4J configuration tried.
     *
     * @param nativeBuild the ND4J native build's classifier suffix ("avx2", "avx512", "onednn"), or
     *     "" for the default build (OpenBLAS, no oneDNN)
     * @param physicalMemoryCheck whether JavaCPP reads the process's resident size at every native
     *     allocation to decide whether to call the garbage collector: JavaCPP's default, which
     *     rnnstream's trainer turns off unless the command line sets it
     * @param engine how the trainer computes gradients: "windowed" (its default) or
     *     "layer-by-layer"
     */
    record Variant(
            String name,
            int batch,
            int threads,
            String workspaces,
            String nativeBuild,
            boolean physicalMemoryCheck,
            String engine) {

        static final String WINDOWED = "windowed";
        static final String LAYER_BY_LAYER = "layer-by-layer";

        static Variant recipe() {
            return new Variant("recipe", RECIPE_BATCH, 1, "enabled", "", false, WINDOWED);
        }

        Variant with(String name, int batch, int threads, String workspaces) {
            return new Variant(
                    name, batch, threads, workspaces, nativeBuild, physicalMemoryCheck, engine);
        }

        Variant withBuild(String build) {
            return new Variant(
                    build + " build",
                    batch,
                    threads,
                    workspaces,
                    build,
                    physicalMemoryCheck,
                    engine);
        }

        Variant withPhysicalMemoryCheck() {
            return new Variant(
                    name + ", JavaCPP's resident-size check on (its default)",
                    batch,
                    threads,
                    workspaces,
                    nativeBuild,
                    true,
                    engine);
        }

        /** The same configuration trained with {@code MultiLayerNetwork.fit}. */
        Variant layerByLayer(String name) {
            return new Variant(
                    name,
                    batch,
                    threads,
                    workspaces,
                    nativeBuild,
                    physicalMemoryCheck,
                    LAYER_BY_LAYER);
        }

        String describe() {
            return String.format(
                    "%s: %s, batch %d, %d thread%s, workspaces %s, %s build, resident-size check %s",
                    name,
                    engine.equals(WINDOWED) ? "the windowed engine" : "network.fit layer by layer",
                    batch,
                    threads,
                    threads == 1 ? "" : "s",
                    workspaces,
                    nativeBuild.isEmpty() ? "default" : nativeBuild,
                    physicalMemoryCheck ? "on" : "off");
        }
    }

    private TrainingComparison() {}

    /** The variants of one mode: the recipe first, then one lever changed at a time. */
    static List<Variant> variants(boolean quick) {
        Variant recipe = Variant.recipe();
        Variant layerByLayer = recipe.layerByLayer("recipe, layer by layer");
        if (quick) {
            return List.of(recipe, layerByLayer, recipe.withPhysicalMemoryCheck());
        }
        // Workspaces only change MultiLayerNetwork's own passes, so that lever is tried there.
        return List.of(
                recipe,
                layerByLayer,
                recipe.with("batch 16", 16, 1, "enabled"),
                recipe.with("batch 32", 32, 1, "enabled"),
                recipe.with("2 threads", RECIPE_BATCH, 2, "enabled"),
                layerByLayer.with("layer by layer, no workspaces", RECIPE_BATCH, 1, "none"),
                recipe.withBuild("avx2"),
                recipe.withBuild("avx512"),
                recipe.withBuild("onednn"),
                recipe.withPhysicalMemoryCheck());
    }

    static Map<String, Object> run(boolean quick, Path dataDir, Path work, Path log)
            throws IOException, InterruptedException {
        return run(quick, dataDir, work, log, NATIVE_BUILDS);
    }

    static Map<String, Object> run(
            boolean quick, Path dataDir, Path work, Path log, Path nativeBuilds)
            throws IOException, InterruptedException {
        int epochs = epochs(quick);
        int rounds = quick ? 1 : 3;
        List<Variant> variants = variants(quick);
        List<Integer> torchBatches = quick ? List.of(RECIPE_BATCH) : List.of(RECIPE_BATCH, 16, 32);
        List<String> dataArgs = dataArgs(quick, dataDir);
        Path exported = exportForTorch(dataArgs, work);
        Path script = Processes.script("torch_train.py", work);
        Processes.script("torch_common.py", work);

        Map<Variant, String> skipped = new LinkedHashMap<>();
        Map<Variant, Path> jars = new LinkedHashMap<>();
        for (Variant variant : variants) {
            if (!variant.nativeBuild().isEmpty()) {
                Path jar = nativeJar(nativeBuilds, variant.nativeBuild());
                if (jar == null) {
                    skipped.put(
                            variant,
                            "no nd4j-native-*-linux-x86_64-"
                                    + variant.nativeBuild()
                                    + ".jar in "
                                    + nativeBuilds.toAbsolutePath()
                                    + " (bench/run copies it there)");
                } else {
                    jars.put(variant, jar);
                }
            }
        }

        Map<Variant, List<JsonNode>> dl4jRuns = new LinkedHashMap<>();
        Map<Integer, List<JsonNode>> torchRuns = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
            for (int batch : torchBatches) {
                torchRuns
                        .computeIfAbsent(batch, b -> new ArrayList<>())
                        .add(torchRun(script, exported, epochs, batch, log));
            }
            for (Variant variant : variants) {
                if (skipped.containsKey(variant)) {
                    continue;
                }
                dl4jRuns.computeIfAbsent(variant, v -> new ArrayList<>())
                        .add(dl4jRun(variant, jars.get(variant), dataArgs, log));
            }
        }

        List<Map<String, Object>> torch = new ArrayList<>();
        for (var entry : torchRuns.entrySet()) {
            Map<String, Object> summary = TrainingSummary.of(entry.getValue());
            summary.put("batch", entry.getKey());
            torch.add(summary);
        }
        List<Map<String, Object>> dl4j = new ArrayList<>();
        for (Variant variant : variants) {
            Map<String, Object> summary;
            if (skipped.containsKey(variant)) {
                summary = new LinkedHashMap<>();
                summary.put("skipped", skipped.get(variant));
            } else {
                List<JsonNode> runs = dl4jRuns.get(variant);
                summary = TrainingSummary.of(runs);
                summary.put(
                        "vsTorchSameBatch",
                        TrainingSummary.medianRatio(runs, torchRuns.get(variant.batch())));
                summary.put(
                        "vsTorchRecipe",
                        TrainingSummary.medianRatio(runs, torchRuns.get(RECIPE_BATCH)));
                summary.put("nativeLibrary", runs.get(0).get("nativeLibrary").asText());
                summary.put(
                        "javacppMaxPhysicalBytes",
                        runs.get(0).get("javacppMaxPhysicalBytes").asLong());
            }
            summary.put("variant", variant.name());
            summary.put("configuration", variant.describe());
            summary.put("batch", variant.batch());
            summary.put("threads", variant.threads());
            summary.put("workspaces", variant.workspaces());
            summary.put("engine", variant.engine());
            dl4j.add(summary);
        }

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("dataset", "JapaneseVowels" + (quick ? " (first 4 per class)" : ""));
        out.put("epochs", epochs);
        out.put("rounds", rounds);
        out.put("recipe", "LSTM 64, last-step loss, full BPTT, Adam 0.005, clip 1.0, L2 1e-5");
        out.put("dl4j", dl4j);
        out.put("torch", torch);
        return out;
    }

    /** Epochs of the recipe: 15, or 1 for a quick run. */
    static int epochs(boolean quick) {
        return quick ? 1 : 15;
    }

    /** TrainingRun's data arguments: JapaneseVowels, all of it or the first 4 per class. */
    static List<String> dataArgs(boolean quick, Path dataDir) {
        return List.of(
                "--train",
                dataDir.resolve("japanesevowels/JapaneseVowels_TRAIN.ts").toString(),
                "--test",
                dataDir.resolve("japanesevowels/JapaneseVowels_TEST.ts").toString(),
                "--epochs",
                "" + epochs(quick),
                "--per-class",
                quick ? "4" : "0");
    }

    /** Writes the trainer's split and normalized data for the PyTorch script; returns the file. */
    static Path exportForTorch(List<String> dataArgs, Path work) throws IOException {
        Path exported = work.resolve("training-data.json");
        List<String> exportArgs = new ArrayList<>(dataArgs);
        exportArgs.addAll(List.of("--batch", "" + RECIPE_BATCH, "--export", exported.toString()));
        TrainingRun.main(exportArgs.toArray(new String[0]));
        return exported;
    }

    static JsonNode dl4jRun(Variant variant, Path jar, List<String> dataArgs, Path log)
            throws IOException, InterruptedException {
        return dl4jRun(variant, jar, dataArgs, "bundled", log);
    }

    /** {@link #dl4jRun} on the OpenBLAS {@code blas} names ({@code RNNSTREAM_BLAS}). */
    static JsonNode dl4jRun(Variant variant, Path jar, List<String> dataArgs, String blas, Path log)
            throws IOException, InterruptedException {
        List<String> runArgs = new ArrayList<>(dataArgs);
        runArgs.addAll(
                List.of(
                        "--batch",
                        "" + variant.batch(),
                        "--workspaces",
                        variant.workspaces(),
                        "--engine",
                        variant.engine()));
        List<String> jvmOptions = new ArrayList<>();
        if (jar != null) {
            // JavaCPP loads libnd4jcpu.so from the jar whose classifier ends with this extension.
            jvmOptions.add("-Dorg.bytedeco.javacpp.platform.extension=-" + variant.nativeBuild());
        }
        if (variant.physicalMemoryCheck()) {
            // JavaCPP's own default under -Xmx3g; any limit above 0 turns the check on.
            jvmOptions.add("-Dorg.bytedeco.javacpp.maxPhysicalBytes=12g");
        }
        List<String> command =
                Processes.javaCommand(
                        TrainingRun.class.getName(),
                        runArgs,
                        jvmOptions,
                        jar == null ? List.of() : List.of(jar));
        return Processes.runForJson(
                command,
                Map.of(
                        "OMP_NUM_THREADS",
                        "" + variant.threads(),
                        OpenBlasLibrary.ENVIRONMENT,
                        blas),
                log);
    }

    static JsonNode torchRun(Path script, Path data, int epochs, int batch, Path log)
            throws IOException, InterruptedException {
        return Processes.runForJson(
                List.of(
                        Processes.python(),
                        script.toString(),
                        "--data",
                        data.toString(),
                        "--epochs",
                        "" + epochs,
                        "--batch",
                        "" + batch),
                Map.of(),
                log);
    }

    private static Path nativeJar(Path dir, String build) throws IOException {
        if (!Files.isDirectory(dir)) {
            return null;
        }
        String suffix = "-linux-x86_64-" + build + ".jar";
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(
                            f -> {
                                String name = f.getFileName().toString();
                                return name.startsWith("nd4j-native-") && name.endsWith(suffix);
                            })
                    .findFirst()
                    .orElse(null);
        }
    }
}
