package io.rnnstream.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.data.LabeledSequence;
import io.rnnstream.core.data.Splits;
import io.rnnstream.core.data.TsReader;
import io.rnnstream.core.eval.Evaluator;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.core.model.TrainingOptions;
import io.rnnstream.core.serving.FeatureNormalizer;
import io.rnnstream.core.train.NetworkFactory;
import io.rnnstream.core.train.OpenBlasLibrary;
import io.rnnstream.core.train.SequenceTrainer;
import io.rnnstream.core.train.TrainedModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * One DL4J training run of the comparison (issue 7, item 4), in its own JVM so that each run gets
 * its own {@code OMP_NUM_THREADS}: rnnstream's {@link SequenceTrainer} with its default recipe for
 * a fixed number of epochs (no early stop), then test accuracy through the serving step. Prints one
 * JSON object on stdout. With {@code --export FILE} it instead writes the split and normalized data
 * that the PyTorch reference trains on.
 *
 * <p>Arguments: {@code --train TS --test TS --epochs N --batch B [--workspaces none] [--engine
 * windowed|layer-by-layer] [--per-class N] [--export FILE]}.
 */
public final class TrainingRun {

    /**
     * The recipe's learning rate, which {@code torch_train.py} uses too: the comparison is of speed
     * at one recipe, so it does not follow the trainer's default.
     */
    static final double RECIPE_LEARNING_RATE = 0.005;

    private TrainingRun() {}

    public static void main(String[] args) throws IOException {
        Map<String, String> options = Arguments.parse(args);
        int perClass = Integer.parseInt(options.getOrDefault("per-class", "0"));
        Dataset train = slice(TsReader.read(Path.of(options.get("train"))), perClass);
        Dataset test = slice(TsReader.read(Path.of(options.get("test"))), perClass);
        int epochs = Integer.parseInt(options.get("epochs"));
        TrainingOptions recipe =
                TrainingOptions.defaults().toBuilder()
                        .learningRate(RECIPE_LEARNING_RATE)
                        .maxEpochs(epochs)
                        .patience(epochs)
                        .batchSize(Integer.parseInt(options.get("batch")))
                        .build();
        if (options.containsKey("export")) {
            export(train, test, recipe, Path.of(options.get("export")));
            return;
        }
        boolean workspaces = !"none".equals(options.get("workspaces"));
        String engineName = options.getOrDefault("engine", "windowed");
        SequenceTrainer.Engine engine =
                switch (engineName) {
                    case "windowed" -> SequenceTrainer.Engine.WINDOWED;
                    case "layer-by-layer" -> SequenceTrainer.Engine.LAYER_BY_LAYER;
                    default ->
                            throw new IllegalArgumentException(
                                    "--engine: expected windowed or layer-by-layer, got "
                                            + engineName);
                };
        SequenceTrainer.WarmStart start = workspaces ? null : withoutWorkspaces(train, recipe);
        TrainedModel model = SequenceTrainer.train(train, recipe, start, null, engine);
        double seconds =
                model.history().stream().mapToDouble(SequenceTrainer.EpochSummary::seconds).sum();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("framework", "dl4j");
        result.put("batch", recipe.batchSize());
        result.put("threads", System.getenv().getOrDefault("OMP_NUM_THREADS", "default"));
        result.put("workspaces", workspaces ? "enabled" : "none");
        result.put("engine", engineName);
        result.put("nativeLibrary", nativeLibrary());
        result.put("javacppMaxPhysicalBytes", Pointer.maxPhysicalBytes());
        result.put("epochs", model.history().size());
        result.put("trainSequences", model.trainSequences());
        result.put("seconds", seconds);
        result.put("sequencesPerSecond", model.trainSequences() * model.history().size() / seconds);
        result.put("validationAccuracy", model.validationAccuracy());
        result.put("testAccuracy", Evaluator.evaluate(model.classifier(), test).accuracy());
        result.put("openblas", OpenBlasLibrary.loaded());
        System.out.println(new ObjectMapper().writeValueAsString(result));
    }

    /**
     * The network the trainer would build, with DL4J's workspaces off, handed over as a warm start
     * with the normalizer the trainer would fit: the same split, seed and initial weights.
     */
    private static SequenceTrainer.WarmStart withoutWorkspaces(
            Dataset data, TrainingOptions recipe) {
        Splits.Split split = Splits.stratified(data, recipe.validationFraction(), recipe.seed());
        FeatureNormalizer normalizer =
                FeatureNormalizer.fit(features(split.train()), data.featureDimension());
        ModelSpec spec =
                new ModelSpec(
                        recipe.cell(),
                        recipe.layers(),
                        recipe.hiddenSize(),
                        InputKind.FEATURES,
                        data.featureDimension(),
                        0,
                        data.labels());
        MultiLayerConfiguration configuration = NetworkFactory.configuration(spec, recipe);
        configuration.setTrainingWorkspaceMode(WorkspaceMode.NONE);
        configuration.setInferenceWorkspaceMode(WorkspaceMode.NONE);
        MultiLayerNetwork network = new MultiLayerNetwork(configuration);
        network.init();
        return new SequenceTrainer.WarmStart(network, spec, normalizer, null);
    }

    /** Writes the trainer's split, normalized with the trainer's normalizer, for PyTorch. */
    static void export(Dataset data, Dataset test, TrainingOptions recipe, Path file)
            throws IOException {
        Splits.Split split = Splits.stratified(data, recipe.validationFraction(), recipe.seed());
        FeatureNormalizer normalizer =
                FeatureNormalizer.fit(features(split.train()), data.featureDimension());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("classes", data.labels().size());
        out.put("train", encode(split.train(), normalizer));
        out.put("validation", encode(split.holdout(), normalizer));
        out.put("test", encode(test, normalizer));
        new ObjectMapper().writeValue(file.toFile(), out);
    }

    private static List<Map<String, Object>> encode(Dataset data, FeatureNormalizer normalizer) {
        List<Map<String, Object>> sequences = new ArrayList<>();
        for (LabeledSequence sequence : data.sequences()) {
            float[][] features = new float[sequence.length()][normalizer.dimension()];
            for (int t = 0; t < features.length; t++) {
                normalizer.apply(sequence.features()[t], features[t]);
            }
            sequences.add(
                    Map.of("features", features, "label", data.labels().indexOf(sequence.label())));
        }
        return sequences;
    }

    private static List<float[][]> features(Dataset data) {
        return data.sequences().stream().map(LabeledSequence::features).toList();
    }

    /**
     * Which ND4J native build this JVM loaded: JavaCPP unpacks {@code libnd4jcpu.so} into a
     * directory named after the build's platform, e.g. {@code linux-x86_64-avx2}.
     */
    private static String nativeLibrary() throws IOException {
        try (Stream<String> maps = Files.lines(Path.of("/proc/self/maps"))) {
            return maps.filter(line -> line.endsWith("/libnd4jcpu.so"))
                    .map(line -> line.substring(line.indexOf('/')))
                    .map(path -> Path.of(path).getParent().getFileName().toString())
                    .findFirst()
                    .orElse("unknown");
        }
    }

    /** The first {@code perClass} sequences of every label (all when 0). */
    private static Dataset slice(Dataset data, int perClass) {
        if (perClass == 0) {
            return data;
        }
        List<LabeledSequence> kept = new ArrayList<>();
        for (String label : data.labels()) {
            data.sequences().stream()
                    .filter(s -> s.label().equals(label))
                    .limit(perClass)
                    .forEach(kept::add);
        }
        return data.withSequences(data.name() + " (first " + perClass + " per class)", kept);
    }
}
