package io.rnnstream.core.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.rnnstream.core.model.CellType;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.core.text.Vocabulary;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The batched step gives every key the state the one-key {@link Stepper} gives it, on both kernel
 * paths, whatever the batch size (full tiles of keys and a remainder), cell, depth, width and input
 * kind.
 */
class BatchStepperTest {

    private static final double TOLERANCE = 1e-5;
    private static final int FEATURES = 5;
    private static final int STEPS = 6;
    private static final List<String> LABELS = List.of("a", "b", "c");
    private static final Vocabulary VOCABULARY =
            new Vocabulary(List.of(Vocabulary.UNKNOWN, "one", "two", "three", "four", "five"));

    /**
     * Odd sizes on purpose, so that every loop of both paths has remainders: with 16 float lanes, 9
     * units is one padded block, 21 a whole block and a padded one (LSTM: 8 vector columns, the
     * one-key tile of 8 and two tiles of 4 keys), 70 Elman units five columns (tiles of 4 and 1).
     */
    static Stream<Arguments> models() {
        return Stream.of(
                Arguments.of(CellType.ELMAN, 1, InputKind.FEATURES, 9),
                Arguments.of(CellType.ELMAN, 1, InputKind.FEATURES, 70),
                Arguments.of(CellType.LSTM, 1, InputKind.FEATURES, 9),
                Arguments.of(CellType.LSTM, 2, InputKind.FEATURES, 21),
                Arguments.of(CellType.ELMAN, 2, InputKind.TOKENS, 21),
                Arguments.of(CellType.LSTM, 1, InputKind.TOKENS, 9));
    }

    /**
     * The reference is the scalar one-key stepper; the one-key and the batched step of both paths
     * must give every key its state, whatever the batch size (full tiles of keys and a remainder).
     */
    @ParameterizedTest(name = "{0}, {1} layer(s), {2}, hidden {3}")
    @MethodSource("models")
    void batchedAndOneKeyStepsOfBothPathsEqualTheScalarOneKeyStep(
            CellType cell, int layers, InputKind kind, int hidden) {
        SequenceClassifier scalar =
                classifier(cell, layers, kind, hidden).withPath(ServingPath.SCALAR);
        Random random = new Random(3);
        for (int keys : new int[] {1, 3, 4, 11}) {
            // Keys enter at different points of their sequences.
            RecurrentState[] start = new RecurrentState[keys];
            for (int b = 0; b < keys; b++) {
                start[b] = scalar.initialState();
                for (int t = 0; t < b % 3; t++) {
                    advanceOne(scalar.newStepper(), start[b], kind, random);
                }
            }
            float[][][] features = new float[STEPS][keys][];
            int[][] tokens = new int[STEPS][keys];
            for (int t = 0; t < STEPS; t++) {
                for (int b = 0; b < keys; b++) {
                    features[t][b] = gaussianVector(random);
                    tokens[t][b] = random.nextInt(VOCABULARY.size());
                }
            }
            RecurrentState[] expected = oneKeySteps(scalar, start, kind, features, tokens);
            for (ServingPath path : ServingPath.values()) {
                SequenceClassifier classifier = scalar.withPath(path);
                assertSameStates(
                        expected,
                        oneKeySteps(classifier, start, kind, features, tokens),
                        path + " one key, batch of " + keys);
                assertSameStates(
                        expected,
                        batchedSteps(classifier, start, kind, features, tokens),
                        path + " batched, batch of " + keys);
            }
        }
    }

    private static RecurrentState[] oneKeySteps(
            SequenceClassifier classifier,
            RecurrentState[] start,
            InputKind kind,
            float[][][] features,
            int[][] tokens) {
        RecurrentState[] states = copies(start);
        Stepper stepper = classifier.newStepper();
        for (int t = 0; t < STEPS; t++) {
            for (int b = 0; b < states.length; b++) {
                if (kind == InputKind.FEATURES) {
                    stepper.advance(states[b], features[t][b]);
                } else {
                    stepper.advanceToken(states[b], tokens[t][b]);
                }
            }
        }
        return states;
    }

    private static RecurrentState[] batchedSteps(
            SequenceClassifier classifier,
            RecurrentState[] start,
            InputKind kind,
            float[][][] features,
            int[][] tokens) {
        RecurrentState[] states = copies(start);
        BatchStepper batch = classifier.newBatchStepper();
        for (int t = 0; t < STEPS; t++) {
            if (kind == InputKind.FEATURES) {
                batch.advance(states, features[t], states.length);
            } else {
                batch.advanceTokens(states, tokens[t], states.length);
            }
        }
        return states;
    }

    private static RecurrentState[] copies(RecurrentState[] states) {
        return Stream.of(states).map(RecurrentState::copy).toArray(RecurrentState[]::new);
    }

    private static void assertSameStates(
            RecurrentState[] expected, RecurrentState[] actual, String what) {
        for (int b = 0; b < expected.length; b++) {
            assertThat(actual[b].steps()).isEqualTo(expected[b].steps());
            for (int i = 0; i < expected[b].values().length; i++) {
                assertThat((double) actual[b].values()[i])
                        .as("%s, key %d, state value %d", what, b, i)
                        .isCloseTo(expected[b].values()[i], within(TOLERANCE));
            }
        }
    }

    @Test
    void aRefusedBatchChangesNoState() {
        SequenceClassifier classifier = classifier(CellType.LSTM, 1, InputKind.FEATURES, 9);
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

    private static SequenceClassifier classifier(
            CellType cell, int layers, InputKind kind, int hidden) {
        if (kind == InputKind.TOKENS) {
            ModelSpec spec =
                    new ModelSpec(cell, layers, hidden, kind, VOCABULARY.size(), FEATURES, LABELS);
            return new SequenceClassifier(StepperTest.randomWeights(spec, 17), null, VOCABULARY);
        }
        ModelSpec spec = new ModelSpec(cell, layers, hidden, kind, FEATURES, 0, LABELS);
        FeatureNormalizer normalizer =
                new FeatureNormalizer(
                        new float[] {0f, 1f, -1f, 0.5f, 0f}, new float[] {1f, 2f, 0.5f, 1f, 3f});
        return new SequenceClassifier(StepperTest.randomWeights(spec, 19), normalizer, null);
    }
}
