package io.rnnstream.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rnnstream.core.artifact.Json;
import io.rnnstream.core.model.CellType;
import io.rnnstream.core.model.Initialization;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.core.model.TrainingOptions;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

/**
 * How the recurrent and output weights and biases are drawn: Xavier's variance and constant biases
 * by default and in every artifact that does not say otherwise, PyTorch's uniform ±1/√hidden scheme
 * on request.
 */
class InitializationTest {

    private static final int HIDDEN = 64;
    private static final int SYMBOLS = 65;

    @Test
    void theUniformDrawPutsEveryRecurrentAndOutputWeightWithinOneOverRootHidden() {
        for (CellType cell : CellType.values()) {
            MultiLayerNetwork network = network(cell, Initialization.UNIFORM_HIDDEN);
            double bound = 1 / Math.sqrt(HIDDEN);

            for (String weights : List.of("0_W", "0_RW", "1_W")) {
                double[] values = network.getParam(weights).ravel().toDoubleVector();
                assertThat(maxAbs(values)).as("%s %s", cell, weights).isLessThanOrEqualTo(bound);
                // A uniform draw on [-a, a] has standard deviation a/√3; thousands of draws pin it
                // to within a few percent.
                assertThat(standardDeviation(values))
                        .as("%s %s", cell, weights)
                        .isCloseTo(bound / Math.sqrt(3), within(0.05 * bound));
            }
        }
    }

    @Test
    void theUniformDrawScattersBiasesAroundTheirStartingValuesAsPyTorchDoes() {
        double bound = 1 / Math.sqrt(HIDDEN);
        TrainingOptions options =
                TrainingOptions.builder()
                        .initialization(Initialization.UNIFORM_HIDDEN)
                        .forgetGateBias(1)
                        .build();
        MultiLayerNetwork network = network(CellType.LSTM, options);

        // DL4J's LSTM blocks: cell input, forget gate, output gate, input gate. PyTorch's two bias
        // vectors sum to a draw in ±2/√hidden with standard deviation bound·√(2/3).
        double[] bias = network.getParam("0_b").ravel().toDoubleVector();
        double[] centred = new double[bias.length];
        for (int unit = 0; unit < bias.length; unit++) {
            centred[unit] = bias[unit] - (unit / HIDDEN == 1 ? 1.0 : 0.0);
        }
        assertThat(maxAbs(centred)).isLessThanOrEqualTo(2 * bound).isGreaterThan(bound);
        assertThat(standardDeviation(centred))
                .isCloseTo(bound * Math.sqrt(2.0 / 3), within(0.15 * bound));

        double[] outputBias = network.getParam("1_b").ravel().toDoubleVector();
        assertThat(maxAbs(outputBias)).isLessThanOrEqualTo(bound).isPositive();
    }

    @Test
    void xavierStartsEveryBiasAtItsConstant() {
        double[] bias =
                network(CellType.LSTM, Initialization.XAVIER)
                        .getParam("1_b")
                        .ravel()
                        .toDoubleVector();
        assertThat(maxAbs(bias)).isZero();
    }

    @Test
    void xavierDrawsTheOneHotInputWeightsWiderThanTheUniformDraw() {
        double[] xavier =
                network(CellType.LSTM, Initialization.XAVIER)
                        .getParam("0_W")
                        .ravel()
                        .toDoubleVector();
        double[] uniform =
                network(CellType.LSTM, Initialization.UNIFORM_HIDDEN)
                        .getParam("0_W")
                        .ravel()
                        .toDoubleVector();

        assertThat(standardDeviation(xavier)).isGreaterThan(1.3 * standardDeviation(uniform));
    }

    @Test
    void classifiersKeepXavierAndArtifactsWithoutTheFieldReadAsXavier() throws Exception {
        assertThat(TrainingOptions.defaults().initialization()).isEqualTo(Initialization.XAVIER);
        ObjectNode written = Json.STRICT.valueToTree(TrainingOptions.defaults());
        assertThat(written.has("initialization")).isFalse();
        assertThat(Json.STRICT.treeToValue(written, TrainingOptions.class).initialization())
                .isEqualTo(Initialization.XAVIER);

        TrainingOptions uniform =
                TrainingOptions.builder().initialization(Initialization.UNIFORM_HIDDEN).build();
        ObjectNode uniformWritten = Json.STRICT.valueToTree(uniform);
        assertThat(uniformWritten.get("initialization").asText()).isEqualTo("UNIFORM_HIDDEN");
        assertThat(Json.STRICT.treeToValue(uniformWritten, TrainingOptions.class))
                .isEqualTo(uniform);
    }

    @Test
    void theSameSeedDrawsTheSameWeights() {
        assertThat(network(CellType.LSTM, Initialization.UNIFORM_HIDDEN).params())
                .isEqualTo(network(CellType.LSTM, Initialization.UNIFORM_HIDDEN).params());
    }

    private static MultiLayerNetwork network(CellType cell, Initialization initialization) {
        return network(cell, TrainingOptions.builder().initialization(initialization).build());
    }

    private static MultiLayerNetwork network(CellType cell, TrainingOptions options) {
        List<String> symbols = new ArrayList<>();
        for (int s = 0; s < SYMBOLS; s++) {
            symbols.add("s" + s);
        }
        return NetworkFactory.create(
                new ModelSpec(cell, 1, HIDDEN, InputKind.FEATURES, SYMBOLS, 0, symbols), options);
    }

    private static double maxAbs(double[] values) {
        double max = 0;
        for (double v : values) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }

    private static double standardDeviation(double[] values) {
        double sum = 0;
        double squares = 0;
        for (double v : values) {
            sum += v;
            squares += v * v;
        }
        double mean = sum / values.length;
        return Math.sqrt(squares / values.length - mean * mean);
    }
}
