package io.rnnstream.core.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.core.model.CellType;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.core.serving.LanguageModel;
import io.rnnstream.core.serving.NetworkWeights;
import io.rnnstream.core.serving.RecurrentLayerWeights;
import io.rnnstream.core.serving.SequenceClassifier;
import io.rnnstream.core.text.Alphabet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Finding the units that track a property of the text: on a synthetic text whose bracket depth is
 * known, a model with one unit built to count brackets (and others random) must be ranked with that
 * unit first.
 */
class CellInspectionTest {

    private static final int HIDDEN = 6;
    private static final int COUNTER = 4;

    @Test
    void theUnitBuiltToCountBracketsIsFoundForBracketDepth() {
        String text = bracketText(3000, 11);
        Alphabet alphabet = Alphabet.of(text);
        LanguageModel model = bracketCounter(alphabet, 5);

        CellActivations activations = CellActivations.record(model, alphabet.encode(text, "text"));
        Map<TextProperty, UnitScores.PropertyScores> scores =
                UnitScores.rank(activations, text, TextProperty.all(), 3);

        UnitScores.Score best = scores.get(TextProperty.BRACKET_DEPTH).best();
        assertThat(best.label().label()).isEqualTo("L0.h" + COUNTER);
        assertThat(best.correlation()).isGreaterThan(0.9);
        assertThat(scores.get(TextProperty.BRACKET_DEPTH).ranked().get(1).correlation())
                .as("no random unit comes close")
                .isLessThan(0.8);
        assertThat(scores.get(TextProperty.IN_QUOTE).ranked())
                .as("a text without quotes scores no unit for them")
                .isEmpty();
    }

    @Test
    void propertiesFollowTheTextCharacterByCharacter() {
        String text = "a(b[c]d)\n  x // y\nz \"q\" w";

        assertThat(TextProperty.BRACKET_DEPTH.perSymbol(text))
                .startsWith(0, 1, 1, 2, 2, 2, 1, 1, 0);
        assertThat(TextProperty.POSITION_IN_LINE.perSymbol(text))
                .startsWith(0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2);
        assertThat(TextProperty.INDENTATION.perSymbol(text))
                .containsSequence(0, 1, 2, 2, 2, 2, 2, 2, 2, 2, 0);
        assertThat(TextProperty.IN_COMMENT.perSymbol(text))
                .containsSequence(0, 0, 1, 1, 1, 1, 0, 0);
        assertThat(TextProperty.IN_QUOTE.perSymbol(text)).endsWith(0, 1, 1, 1, 0, 0);
    }

    @Test
    void unitsAreLabelledByLayerCellKindAndIndex() {
        ModelSpec spec =
                new ModelSpec(CellType.LSTM, 2, 3, InputKind.FEATURES, 2, 0, List.of("a", "b"));

        CellActivations.Unit[] units = CellActivations.units(spec);

        assertThat(units).hasSize(12);
        assertThat(units[0].label()).isEqualTo("L0.h0");
        assertThat(units[4].label()).isEqualTo("L0.c1");
        assertThat(units[11].label()).isEqualTo("L1.c2");
    }

    /** Letters and balanced brackets, depth between 0 and 5. */
    private static String bracketText(int length, long seed) {
        Random random = new Random(seed);
        StringBuilder out = new StringBuilder();
        int depth = 0;
        while (out.length() < length) {
            int draw = random.nextInt(10);
            if (draw == 0 && depth < 5) {
                out.append('(');
                depth++;
            } else if (draw == 1 && depth > 0) {
                out.append(')');
                depth--;
            } else {
                out.append((char) ('a' + random.nextInt(4)));
            }
        }
        return out.toString();
    }

    /**
     * An Elman character model whose unit {@link #COUNTER} adds a little for "(", takes it away for
     * ")" and keeps its value otherwise; every other unit has random weights.
     */
    private static LanguageModel bracketCounter(Alphabet alphabet, long seed) {
        int symbols = alphabet.size();
        ModelSpec spec =
                new ModelSpec(
                        CellType.ELMAN,
                        1,
                        HIDDEN,
                        InputKind.FEATURES,
                        symbols,
                        0,
                        alphabet.symbols());
        Random random = new Random(seed);
        float[] input = new float[symbols * HIDDEN];
        float[] recurrent = new float[HIDDEN * HIDDEN];
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < recurrent.length; i++) {
            recurrent[i] = (float) (0.5 * random.nextGaussian());
        }
        for (int s = 0; s < symbols; s++) {
            input[s * HIDDEN + COUNTER] = 0;
        }
        // Small steps keep tanh near its linear part; a recurrent weight a little above 1 makes
        // up for tanh's slight pull towards 0 there, so the count holds between brackets.
        input[alphabet.id('(') * HIDDEN + COUNTER] = 0.05f;
        input[alphabet.id(')') * HIDDEN + COUNTER] = -0.05f;
        for (int j = 0; j < HIDDEN; j++) {
            recurrent[j * HIDDEN + COUNTER] = j == COUNTER ? 1.005f : 0f;
        }
        NetworkWeights weights =
                new NetworkWeights(
                        spec,
                        null,
                        List.of(
                                new RecurrentLayerWeights(
                                        CellType.ELMAN,
                                        symbols,
                                        HIDDEN,
                                        input,
                                        recurrent,
                                        new float[HIDDEN])),
                        new float[HIDDEN * symbols],
                        new float[symbols]);
        return new LanguageModel(
                new SequenceClassifier(weights, LanguageModel.oneHotNormalizer(symbols), null));
    }
}
