package io.rnnstream.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rnnstream.core.artifact.Json;
import io.rnnstream.core.model.CellType;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.core.model.TrainingOptions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The recurrent layers' biases can train at a multiple of the learning rate: 2 in the language
 * model's recipe, as PyTorch's two bias vectors train; 1, DL4J's single bias at the network's rate,
 * for classifiers and for artifacts that do not name it. PyTorch itself checks the recipe's 2
 * against its own two trained bias vectors in the bench module's {@code UpdatesMatchPyTorchTest}.
 */
class RecurrentBiasLearningRateTest {

    private static final int VOCABULARY = 7;
    private static final int WINDOW = 6;

    @ParameterizedTest
    @EnumSource(CellType.class)
    void atTwoTheFirstUpdateMovesTheRecurrentBiasTwiceAsFarAndEveryOtherParameterAsFar(
            CellType cell) {
        Update plain = firstUpdate(cell, 1);
        Update doubled = firstUpdate(cell, 2);

        assertThat(doubled.bias).hasSameSizeAs(plain.bias);
        for (int i = 0; i < plain.bias.length; i++) {
            assertThat(doubled.bias[i]).as("bias %d", i).isCloseTo(2 * plain.bias[i], within(1e-7));
        }
        assertThat(maxAbs(plain.bias)).as("the bias moved").isGreaterThan(1e-4);
        for (String key : List.of("0_W", "0_RW", "1_W", "1_b")) {
            assertThat(doubled.others.get(key)).as(key).containsExactly(plain.others.get(key));
        }
    }

    @Test
    void classifiersTrainEveryBiasAtTheLearningRateAndTheLanguageModelRecipeAtTwice() {
        assertThat(TrainingOptions.defaults().recurrentBiasLearningRateMultiplier()).isEqualTo(1.0);
        assertThat(NextTokenTrainer.defaultOptions().recurrentBiasLearningRateMultiplier())
                .isEqualTo(2.0);
    }

    @Test
    void optionsThatDoNotNameItReadAsOneAndOneIsNotWritten() throws Exception {
        ObjectNode written = Json.STRICT.valueToTree(TrainingOptions.defaults());
        assertThat(written.has("recurrentBiasLearningRateMultiplier")).isFalse();
        assertThat(
                        Json.STRICT
                                .treeToValue(written, TrainingOptions.class)
                                .recurrentBiasLearningRateMultiplier())
                .isEqualTo(1.0);

        TrainingOptions two = NextTokenTrainer.defaultOptions();
        ObjectNode twoWritten = Json.STRICT.valueToTree(two);
        assertThat(twoWritten.get("recurrentBiasLearningRateMultiplier").asDouble()).isEqualTo(2.0);
        assertThat(Json.STRICT.treeToValue(twoWritten, TrainingOptions.class)).isEqualTo(two);
    }

    @Test
    void aMultiplierOutsideItsRangeIsRefusedByName() {
        for (double bad : new double[] {0, -1, Double.NaN, 1000}) {
            assertThatThrownBy(
                            () ->
                                    TrainingOptions.builder()
                                            .recurrentBiasLearningRateMultiplier(bad)
                                            .build())
                    .as("multiplier %s", bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("recurrentBiasLearningRateMultiplier");
        }
    }

    private record Update(double[] bias, Map<String, double[]> others) {}

    /** How far one update on the same window moves each parameter from the same weights. */
    private static Update firstUpdate(CellType cell, double multiplier) {
        List<String> symbols = new ArrayList<>();
        for (int s = 0; s < VOCABULARY; s++) {
            symbols.add("s" + s);
        }
        ModelSpec spec = new ModelSpec(cell, 1, 8, InputKind.FEATURES, VOCABULARY, 0, symbols);
        TrainingOptions options =
                NextTokenTrainer.defaultOptions().toBuilder()
                        .cell(cell)
                        .hiddenSize(8)
                        .recurrentBiasLearningRateMultiplier(multiplier)
                        .build();
        MultiLayerNetwork network = NetworkFactory.create(spec, options);
        Map<String, double[]> before = parameters(network);
        int[] text = new int[2 * (WINDOW + 1)];
        for (int i = 0; i < text.length; i++) {
            text[i] = (i * 3 + i / 4) % VOCABULARY;
        }
        ParallelStreams window =
                new ParallelStreams(
                        ParallelStreams.split(text, 2), WINDOW, 0, VOCABULARY, VOCABULARY);
        new TruncatedBpttFitter(network, spec, WINDOW, 0, options.gradientNormClip())
                .fit(window, 1, null);
        Map<String, double[]> after = parameters(network);
        Map<String, double[]> moved = new LinkedHashMap<>();
        for (String key : before.keySet()) {
            double[] change = new double[before.get(key).length];
            for (int i = 0; i < change.length; i++) {
                change[i] = after.get(key)[i] - before.get(key)[i];
            }
            moved.put(key, change);
        }
        double[] bias = moved.remove("0_b");
        return new Update(bias, moved);
    }

    private static Map<String, double[]> parameters(MultiLayerNetwork network) {
        Map<String, double[]> values = new LinkedHashMap<>();
        for (var entry : network.paramTable().entrySet()) {
            values.put(entry.getKey(), entry.getValue().dup().data().asDouble());
        }
        return values;
    }

    private static double maxAbs(double[] values) {
        double max = 0;
        for (double value : values) {
            max = Math.max(max, Math.abs(value));
        }
        return max;
    }
}
