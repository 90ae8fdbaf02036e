package io.rnnstream.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.core.model.CellType;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.core.model.TrainingOptions;
import io.rnnstream.core.text.Alphabet;
import io.rnnstream.core.train.NetworkFactory;
import io.rnnstream.core.train.NextTokenTrainer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * rnnstream's stateful truncated BPTT against an independent implementation: PyTorch's LSTM,
 * autograd, norm clipping and Adam, started from the weights rnnstream drew and fed the same
 * windows of the same parallel streams, the state carried from window to window. A wrong gradient
 * anywhere (a gate, the carried state, the clip, the update) moves the later losses and the weights
 * far beyond float rounding.
 */
class UpdatesMatchPyTorchTest {

    private static final int HIDDEN = 32;
    private static final int STREAMS = 8;
    private static final int WINDOW = 25;
    private static final int UPDATES = 6;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void sixUpdatesFromTheSameWeightsGivePyTorchsLossesAndWeights(@TempDir Path work)
            throws Exception {
        Assumptions.assumeTrue(
                "true".equals(System.getenv("CI")) || BenchSuiteQuickTest.torchAvailable(),
                "python3-torch is not installed");
        String text =
                Files.readString(
                                BenchSuite.findDataDirectory().resolve("tinyshakespeare/input.txt"),
                                StandardCharsets.UTF_8)
                        .substring(0, 20_000);
        Alphabet alphabet = Alphabet.of(text);
        int[] ids = alphabet.encode(text, "tinyshakespeare");
        int[] train = Arrays.copyOf(ids, STREAMS * (UPDATES * WINDOW + 1));
        int[] validation = Arrays.copyOfRange(ids, train.length, ids.length);
        TrainingOptions options =
                NextTokenTrainer.defaultOptions().toBuilder()
                        .hiddenSize(HIDDEN)
                        .batchSize(STREAMS)
                        .tbpttLength(WINDOW)
                        .maxEpochs(1)
                        .seed(7)
                        .build();
        ModelSpec spec =
                new ModelSpec(
                        CellType.LSTM,
                        1,
                        HIDDEN,
                        InputKind.FEATURES,
                        alphabet.size(),
                        0,
                        alphabet.symbols());
        // The language model's recipe trains the LSTM's biases at twice the rate, as PyTorch's two
        // bias vectors train: the script trains both, so a bias that moved at the plain rate would
        // end half as far from where it started as PyTorch's.
        assertThat(options.recurrentBiasLearningRateMultiplier()).isEqualTo(2.0);
        // The trainer draws the same weights from the same seed.
        Map<String, float[]> initial = weights(NetworkFactory.create(spec, options));

        Map<String, Object> input = new LinkedHashMap<>();
        input.put("hidden", HIDDEN);
        input.put("vocabulary", alphabet.size());
        input.put("streams", STREAMS);
        input.put("window", WINDOW);
        input.put("updates", UPDATES);
        input.put("learningRate", options.learningRate());
        input.put("gradientNormClip", options.gradientNormClip());
        input.put(
                "recurrentBiasLearningRateMultiplier",
                options.recurrentBiasLearningRateMultiplier());
        input.put("ids", train);
        input.putAll(initial);
        Path inputFile = work.resolve("updates.json");
        new ObjectMapper().writeValue(inputFile.toFile(), input);
        Path script = Processes.script("torch_updates.py", work);
        Processes.script("torch_common.py", work);
        JsonNode torch =
                Processes.runForJson(
                        List.of(Processes.python(), script.toString(), inputFile.toString()),
                        Map.of(),
                        work.resolve("torch.log"));

        NextTokenTrainer.Result ours =
                NextTokenTrainer.train(
                        train,
                        validation,
                        alphabet.symbols(),
                        InputKind.FEATURES,
                        options,
                        UPDATES,
                        null);

        assertThat(ours.history().get(0).updates()).isEqualTo(UPDATES);
        double torchMeanLoss = 0;
        for (JsonNode loss : torch.get("losses")) {
            torchMeanLoss += loss.asDouble() / UPDATES;
        }
        assertThat(ours.history().get(0).trainLoss()).isCloseTo(torchMeanLoss, within(1e-5));

        Map<String, float[]> trained = weights(ours.network());
        for (Map.Entry<String, float[]> entry : trained.entrySet()) {
            float[] start = initial.get(entry.getKey());
            float[] mine = entry.getValue();
            JsonNode theirs = torch.get(entry.getKey());
            double moved = 0;
            double apart = 0;
            for (int i = 0; i < mine.length; i++) {
                moved += Math.abs(mine[i] - start[i]);
                apart += Math.abs(mine[i] - theirs.get(i).asDouble());
            }
            System.out.printf(
                    "%s: mean |change| %.3e, mean |rnnstream - PyTorch| %.3e%n",
                    entry.getKey(), moved / mine.length, apart / mine.length);
            assertThat(apart).as(entry.getKey()).isLessThan(0.01 * moved);
        }
    }

    /** The network's weights by the names the PyTorch script uses, in DL4J's row-major layout. */
    private static Map<String, float[]> weights(MultiLayerNetwork network) {
        Map<String, float[]> weights = new LinkedHashMap<>();
        weights.put("W", values(network, "0_W"));
        weights.put("RW", values(network, "0_RW"));
        weights.put("b", values(network, "0_b"));
        weights.put("outW", values(network, "1_W"));
        weights.put("outB", values(network, "1_b"));
        return weights;
    }

    private static float[] values(MultiLayerNetwork network, String key) {
        return network.getParam(key).dup('c').data().asFloat();
    }
}
