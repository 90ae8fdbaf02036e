package io.rnnstream.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rnnstream.core.artifact.Json;
import io.rnnstream.core.model.CellType;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.core.model.TrainingOptions;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

/**
 * The value an LSTM's forget gates start from: DL4J's 1 for classifiers and for artifacts that do
 * not name it, 0 in the language-model recipe.
 */
class ForgetGateBiasTest {

    private static final int HIDDEN = 16;

    @Test
    void aNewLstmStartsWithTheForgetGateBiasOfItsOptionsAndEveryOtherBiasAtZero() {
        for (double forgetGateBias : new double[] {1.0, 0.0, -0.5}) {
            MultiLayerNetwork network =
                    network(TrainingOptions.builder().forgetGateBias(forgetGateBias).build());

            // DL4J's LSTM blocks: cell input, forget gate, output gate, input gate.
            double[] bias = network.getParam("0_b").toDoubleVector();
            for (int unit = 0; unit < 4 * HIDDEN; unit++) {
                assertThat(bias[unit])
                        .as("bias %d with forget-gate bias %s", unit, forgetGateBias)
                        .isEqualTo(unit / HIDDEN == 1 ? forgetGateBias : 0.0);
            }
        }
    }

    @Test
    void classifiersKeepDl4jsForgetGateBiasAndTheLanguageModelRecipeStartsAtZero() {
        assertThat(TrainingOptions.defaults().forgetGateBias()).isEqualTo(1.0);
        assertThat(NextTokenTrainer.defaultOptions().forgetGateBias()).isZero();
    }

    @Test
    void optionsThatDoNotNameItReadAsOneAndOneIsNotWritten() throws Exception {
        ObjectNode written = Json.STRICT.valueToTree(TrainingOptions.defaults());
        assertThat(written.has("forgetGateBias")).isFalse();
        assertThat(Json.STRICT.treeToValue(written, TrainingOptions.class).forgetGateBias())
                .isEqualTo(1.0);

        TrainingOptions zero = TrainingOptions.builder().forgetGateBias(0).build();
        ObjectNode zeroWritten = Json.STRICT.valueToTree(zero);
        assertThat(zeroWritten.get("forgetGateBias").asDouble()).isZero();
        assertThat(Json.STRICT.treeToValue(zeroWritten, TrainingOptions.class)).isEqualTo(zero);
    }

    @Test
    void aForgetGateBiasThatIsNotANumberIsRefusedByName() {
        assertThatThrownBy(() -> TrainingOptions.builder().forgetGateBias(Double.NaN).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("forgetGateBias");
    }

    private static MultiLayerNetwork network(TrainingOptions options) {
        List<String> symbols = new ArrayList<>();
        for (int s = 0; s < 10; s++) {
            symbols.add("s" + s);
        }
        return NetworkFactory.create(
                new ModelSpec(CellType.LSTM, 1, HIDDEN, InputKind.FEATURES, 10, 0, symbols),
                options);
    }
}
