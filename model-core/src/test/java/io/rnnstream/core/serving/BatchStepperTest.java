package io.rnnstream.core.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rnnstream.core.model.CellType;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.core.text.Vocabulary;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The batched step gives every key the state the one-key {@link Stepper} gives it, whatever the
 * batch size (full tiles of keys and a remainder), cell, depth and input kind.
 */
class BatchStepperTest {

    private static final double TOLERANCE = 1e-5;
    // Odd sizes on purpose: they leave remainders in every loop of the kernels.
    private static final int FEATURES = 5;
    private static final int HIDDEN = 9;
    private static final List<String> LABELS = List.of("a", "b", "c");
    private static final Vocabulary VOCABULARY =
            new Vocabulary(List.of(Vocabulary.UNKNOWN, "one", "two", "three", "four", "five"));

    static Stream<Arguments> models() {
        return Stream.of(
                Arguments.of(CellType.ELMAN, 1, InputKind.FEATURES),
                Arguments.of(CellType.LSTM, 1, InputKind.FEATURES),
                Arguments.of(CellType.LSTM, 2, InputKind.FEATURES),
                Arguments.of(CellType.ELMAN, 2, InputKind.TOKENS),
                Arguments.of(CellType.LSTM, 1, InputKind.TOKENS));
    }

    @ParameterizedTest(name = "{0}, {1} layer(s), {2}")
    @MethodSource("models")
    void batchedStepsEqualOneKeyStepsForEveryKey(CellType cell, int layers, InputKind kind) {
        SequenceClassifier classifier = classifier(cell, layers, kind);
        Random random = new Random(3);
        for (int keys : new int[] {1, 3, 4, 11}) {
            List<RecurrentState> batched = new ArrayList<>();
            List<RecurrentState> single = new ArrayList<>();
            for (int b = 0; b < keys; b++) {
                // Keys enter at different points of their sequences.
                RecurrentState state = classifier.initialState();
                for (int t = 0; t < b % 3; t++) {
                    advanceOne(classifier.newStepper(), state, kind, random);
                }
                batched.add(state);
                single.add(state.copy());
            }
            BatchStepper batch = classifier.newBatchStepper();
            Stepper stepper = classifier.newStepper();
            RecurrentState[] states = batched.toArray(new RecurrentState[0]);
            for (int t = 0; t < 6; t++) {
                float[][] features = new float[keys][];
                int[] tokens = new int[keys];
                for (int b = 0; b < keys; b++) {
                    features[b] = gaussianVector(random);
                    tokens[b] = random.nextInt(VOCABULARY.size());
                    if (kind == InputKind.FEATURES) {
                        stepper.advance(single.get(b), features[b]);
                    } else {
                        stepper.advanceToken(single.get(b), tokens[b]);
                    }
                }
                if (kind == InputKind.FEATURES) {
                    batch.advance(states, features, keys);
                } else {
                    batch.advanceTokens(states, tokens, keys);
                }
            }
            for (int b = 0; b < keys; b++) {
                float[] expected = single.get(b).values();
                float[] actual = states[b].values();
                assertThat(states[b].steps()).isEqualTo(single.get(b).steps());
                for (int i = 0; i < expected.length; i++) {
                    assertThat((double) actual[i])
                            .as("batch of %d, key %d, state value %d", keys, b, i)
                            .isCloseTo(expected[i], within(TOLERANCE));
                }
            }
        }
    }

    @Test
    void aRefusedBatchChangesNoState() {
        SequenceClassifier classifier = classifier(CellType.LSTM, 1, InputKind.FEATURES);
        BatchStepper batch = classifier.newBatchStepper();
        Random random = new Random(5);
        RecurrentState[] states = new RecurrentState[5];
        float[][] features = new float[5][];
        for (int b = 0; b < states.length; b++) {
            states[b] = classifier.initialState();
            features[b] = gaussianVector(random);
        }
        batch.advance(states, features, 5);
        List<RecurrentState> before = Stream.of(states).map(RecurrentState::copy).toList();

        features[3] = new float[] {1f, 2f};
        assertThatThrownBy(() -> batch.advance(states, features, 5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("features[3] has dimension 2, the model expects 5");
        features[3] = gaussianVector(random);
        features[4][2] = Float.NaN;
        assertThatThrownBy(() -> batch.advance(states, features, 5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("features[4][2] is NaN, expected a finite number");
        assertThatThrownBy(() -> batch.advance(states, features, 6))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("count 6 exceeds the 5 states or 5 inputs given");
        assertThat(states).containsExactlyElementsOf(before);
    }

    private static void advanceOne(
            Stepper stepper, RecurrentState state, InputKind kind, Random random) {
        if (kind == InputKind.FEATURES) {
            stepper.advance(state, gaussianVector(random));
        } else {
            stepper.advanceToken(state, random.nextInt(VOCABULARY.size()));
        }
    }

    private static float[] gaussianVector(Random random) {
        float[] x = new float[FEATURES];
        for (int i = 0; i < FEATURES; i++) {
            x[i] = (float) (random.nextGaussian() * 2);
        }
        return x;
    }

    private static SequenceClassifier classifier(CellType cell, int layers, InputKind kind) {
        if (kind == InputKind.TOKENS) {
            ModelSpec spec =
                    new ModelSpec(cell, layers, HIDDEN, kind, VOCABULARY.size(), FEATURES, LABELS);
            return new SequenceClassifier(StepperTest.randomWeights(spec, 17), null, VOCABULARY);
        }
        ModelSpec spec = new ModelSpec(cell, layers, HIDDEN, kind, FEATURES, 0, LABELS);
        FeatureNormalizer normalizer =
                new FeatureNormalizer(
                        new float[] {0f, 1f, -1f, 0.5f, 0f}, new float[] {1f, 2f, 0.5f, 1f, 3f});
        return new SequenceClassifier(StepperTest.randomWeights(spec, 19), normalizer, null);
    }
}
