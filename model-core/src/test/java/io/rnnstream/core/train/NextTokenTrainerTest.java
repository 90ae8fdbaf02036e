package io.rnnstream.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rnnstream.core.model.CellType;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.TrainingOptions;
import io.rnnstream.core.serving.TextGenerator;
import io.rnnstream.core.serving.TokenSampler;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A character-level language model trained with stateful truncated BPTT learns a text whose next
 * character depends on more than the current one, and generates it on the serving step.
 */
class NextTokenTrainerTest {

    /**
     * "the cat sat on the mat. " repeated: after "t", the next character depends on what came
     * before.
     */
    private static final String TEXT = "the cat sat on the mat. ".repeat(120);

    @ParameterizedTest
    @EnumSource(CellType.class)
    void learnsTheTextAndGeneratesItGreedily(CellType cell) {
        List<String> symbols = alphabet(TEXT);
        int[] ids = ids(TEXT, symbols);
        int split = (int) (ids.length * 0.9);
        TrainingOptions options =
                TrainingOptions.builder()
                        .cell(cell)
                        .hiddenSize(32)
                        .batchSize(4)
                        .tbpttLength(24)
                        .learningRate(0.01)
                        .maxEpochs(40)
                        .patience(40)
                        .seed(5)
                        .build();

        NextTokenTrainer.Result result =
                NextTokenTrainer.train(
                        java.util.Arrays.copyOf(ids, split),
                        java.util.Arrays.copyOfRange(ids, split, ids.length),
                        symbols,
                        InputKind.FEATURES,
                        options,
                        0,
                        null);

        assertThat(result.history().get(0).trainLoss())
                .as("the first epoch's training loss, from ln(alphabet size) down")
                .isGreaterThan(result.bestValidationLoss());
        assertThat(result.bestValidationLoss()).as("nats per character").isLessThan(0.1);
        String generated =
                new TextGenerator(result.languageModel())
                        .generate("the cat ", 40, new TokenSampler(0, 0, 1));
        assertThat(generated).isEqualTo("sat on the mat. the cat sat on the mat. ");
    }

    @Test
    void refusesIdsOutsideTheVocabularyNamingThePosition() {
        assertThatThrownBy(
                        () ->
                                NextTokenTrainer.train(
                                        new int[] {0, 1, 5, 1},
                                        new int[] {0, 1},
                                        List.of("a", "b"),
                                        InputKind.FEATURES,
                                        TrainingOptions.defaults(),
                                        0,
                                        null))
                .hasMessageContaining("token 2 has id 5");
    }

    private static List<String> alphabet(String text) {
        List<String> symbols = new ArrayList<>();
        text.chars().distinct().sorted().forEach(c -> symbols.add(String.valueOf((char) c)));
        return symbols;
    }

    private static int[] ids(String text, List<String> symbols) {
        int[] ids = new int[text.length()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = symbols.indexOf(String.valueOf(text.charAt(i)));
        }
        return ids;
    }
}
