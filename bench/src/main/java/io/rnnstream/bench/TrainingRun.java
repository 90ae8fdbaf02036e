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
import io.rnnstream.core.text.Vocabulary;
import io.rnnstream.core.train.NetworkFactory;
import io.rnnstream.core.train.OpenBlasLibrary;
import io.rnnstream.core.train.SequenceTrainer;
import io.rnnstream.core.train.TrainedModel;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
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
 * windowed|layer-by-layer] [--per-class N] [--repeat N] [--export FILE]}. With {@code --repeat N}
 * the training runs N times in this JVM and {@code sameJvmRepeat} holds the last run's speed; the
 * other figures are the first run's.
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
        long pausesBefore = collectionMillis();
        TrainedModel model = SequenceTrainer.train(train, recipe, start, null, engine);
        long pauses = collectionMillis() - pausesBefore;
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
        result.put("seconds", trainingSeconds(model));
        result.put("sequencesPerSecond", sequencesPerSecond(model));
        result.put("epochSeconds", epochSeconds(model));
        result.put("gcSeconds", pauses / 1000.0);
        result.put("validationAccuracy", model.validationAccuracy());
        result.put("testAccuracy", Evaluator.evaluate(model.classifier(), test).accuracy());
        result.put("openblas", OpenBlasLibrary.loaded());
        int repeats = Integer.parseInt(options.getOrDefault("repeat", "1"));
        if (repeats > 1) {
            result.put("sameJvmRepeat", repeatInThisJvm(repeats, train, recipe, start, engine));
        }
        System.out.println(new ObjectMapper().writeValueAsString(result));
    }

    /**
     * The same training {@code repeats - 1} more times in this JVM, its code compiled by the runs
     * before: the last run's speed shows what the first run's figures spend on the JVM's warm-up.
     */
    private static Map<String, Object> repeatInThisJvm(
            int repeats,
            Dataset train,
            TrainingOptions recipe,
            SequenceTrainer.WarmStart start,
            SequenceTrainer.Engine engine) {
        TrainedModel again = null;
        for (int run = 1; run < repeats; run++) {
            again = SequenceTrainer.train(train, recipe, start, null, engine);
        }
        Map<String, Object> repeat = new LinkedHashMap<>();
        repeat.put("run", repeats);
        repeat.put("sequencesPerSecond", sequencesPerSecond(again));
        repeat.put("epochSeconds", epochSeconds(again));
        return repeat;
    }

    /** The epochs' time: their updates and validation passes. */
    private static double trainingSeconds(TrainedModel model) {
        return model.history().stream().mapToDouble(SequenceTrainer.EpochSummary::seconds).sum();
    }

    private static double sequencesPerSecond(TrainedModel model) {
        return model.trainSequences() * model.history().size() / trainingSeconds(model);
    }

    private static List<Double> epochSeconds(TrainedModel model) {
        return model.history().stream().map(SequenceTrainer.EpochSummary::seconds).toList();
    }

    /** The time this JVM's collectors have spent collecting so far, as they account it. */
    private static long collectionMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(collector -> Math.max(0, collector.getCollectionTime()))
                .sum();
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

    /**
     * Writes the trainer's split for PyTorch: features normalized with the trainer's normalizer, or
     * tokens as ids of the vocabulary the trainer builds from its training part (its unknown token
     * for the rest), with the vocabulary's size and the options' embedding width.
     */
    static void export(Dataset data, Dataset test, TrainingOptions recipe, Path file)
            throws IOException {
        Splits.Split split = Splits.stratified(data, recipe.validationFraction(), recipe.seed());
        Function<Dataset, List<Map<String, Object>>> encoder;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("classes", data.labels().size());
        if (data.inputKind() == InputKind.FEATURES) {
            FeatureNormalizer normalizer =
                    FeatureNormalizer.fit(features(split.train()), data.featureDimension());
            encoder = part -> encodeFeatures(part, normalizer);
        } else {
            Vocabulary vocabulary =
                    Vocabulary.build(
                            split.train().sequences().stream()
                                    .map(LabeledSequence::tokens)
                                    .toList(),
                            recipe.minTokenCount(),
                            recipe.maxVocabulary());
            out.put("vocabulary", vocabulary.size());
            out.put("embedding", recipe.embeddingSize());
            encoder = part -> encodeTokens(part, vocabulary);
        }
        out.put("train", encoder.apply(split.train()));
        out.put("validation", encoder.apply(split.holdout()));
        out.put("test", encoder.apply(test));
        new ObjectMapper().writeValue(file.toFile(), out);
    }

    private static List<Map<String, Object>> encodeFeatures(
            Dataset data, FeatureNormalizer normalizer) {
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

    private static List<Map<String, Object>> encodeTokens(Dataset data, Vocabulary vocabulary) {
        List<Map<String, Object>> sequences = new ArrayList<>();
        for (LabeledSequence sequence : data.sequences()) {
            sequences.add(
                    Map.of(
                            "tokens",
                            vocabulary.encode(sequence.tokens()),
                            "label",
                            data.labels().indexOf(sequence.label())));
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
