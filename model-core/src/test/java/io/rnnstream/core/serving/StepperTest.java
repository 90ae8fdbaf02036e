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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What the serving step refuses, and that a refused event leaves the key's state as it was. */
class StepperTest {

    private static final int FEATURES = 3;
    private static final int HIDDEN = 4;
    private static final List<String> LABELS = List.of("low", "mid", "high");
    private static final Vocabulary VOCABULARY =
            new Vocabulary(List.of(Vocabulary.UNKNOWN, "good", "bad", "film"));

    private final SequenceClassifier lstm = featureClassifier(CellType.LSTM, 2);
    private final SequenceClassifier elman = featureClassifier(CellType.ELMAN, 1);
    private final SequenceClassifier tokens = tokenClassifier();

    @Test
    void refusesFeatureVectorOfWrongDimensionAndKeepsState() {
        Stepper stepper = lstm.newStepper();
        RecurrentState state = warmState(lstm, stepper);
        RecurrentState before = state.copy();

        assertThatThrownBy(() -> stepper.advance(state, new float[] {1f, 2f}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("features has dimension 2, the model expects 3");
        assertThat(state).isEqualTo(before);
    }

    @Test
    void refusesNaNAndInfinityNamingTheFeatureAndKeepsState() {
        Stepper stepper = lstm.newStepper();
        RecurrentState state = warmState(lstm, stepper);
        RecurrentState before = state.copy();

        assertThatThrownBy(() -> stepper.advance(state, new float[] {0f, Float.NaN, 1f}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("features[1] is NaN, expected a finite number");
        assertThatThrownBy(
                        () -> stepper.advance(state, new float[] {0f, 1f, Float.POSITIVE_INFINITY}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("features[2] is Infinity, expected a finite number");
        assertThatThrownBy(
                        () -> stepper.advance(state, new float[] {Float.NEGATIVE_INFINITY, 0f, 0f}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("features[0] is -Infinity, expected a finite number");
        assertThat(state).isEqualTo(before);
    }

    @Test
    void refusesTokenIdOutsideTheVocabularyAndKeepsState() {
        Stepper stepper = tokens.newStepper();
        RecurrentState state = tokens.initialState();
        stepper.advanceToken(state, VOCABULARY.id("good"));
        RecurrentState before = state.copy();

        assertThatThrownBy(() -> stepper.advanceToken(state, 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("token id 4 is outside the vocabulary [0, 4)");
        assertThatThrownBy(() -> stepper.advanceToken(state, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("token id -1 is outside the vocabulary [0, 4)");
        assertThat(state).isEqualTo(before);
    }

    @Test
    void refusesStateOfAnotherModelAndLeavesItUntouched() {
        Stepper stepper = lstm.newStepper();
        // an Elman state of one layer: 4 values; the two-layer LSTM needs 2 * 2 * 4 = 16
        RecurrentState foreign = warmState(elman, elman.newStepper());
        RecurrentState before = foreign.copy();

        assertThatThrownBy(() -> stepper.advance(foreign, new float[] {1f, 2f, 3f}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("state has 4 values, this model needs 16");
        assertThatThrownBy(() -> stepper.probabilities(foreign))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("state has 4 values, this model needs 16");
        assertThat(foreign).isEqualTo(before);
    }

    @Test
    void refusesTheOtherInputKind() {
        RecurrentState featureState = lstm.initialState();
        RecurrentState tokenState = tokens.initialState();

        assertThatThrownBy(() -> lstm.newStepper().advanceToken(featureState, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("takes feature vectors, not tokens");
        assertThatThrownBy(() -> tokens.newStepper().advance(tokenState, new float[] {1f}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("takes tokens, not feature vectors");
        assertThat(featureState).isEqualTo(lstm.initialState());
        assertThat(tokenState).isEqualTo(tokens.initialState());
    }

    @Test
    void refusesOutputBufferOfWrongSize() {
        Stepper stepper = lstm.newStepper();
        RecurrentState state = lstm.initialState();

        assertThatThrownBy(() -> stepper.probabilities(state, new float[2]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("output buffer has 2 slots, the model has 3 classes");
    }

    @ParameterizedTest
    @EnumSource(ServingPath.class)
    void probabilitiesSumToOneAtEveryStep(ServingPath path) {
        Random random = new Random(7);
        for (SequenceClassifier classifier : List.of(lstm.withPath(path), elman.withPath(path))) {
            Stepper stepper = classifier.newStepper();
            RecurrentState state = classifier.initialState();
            for (int t = 0; t < 50; t++) {
                float[] x = new float[FEATURES];
                for (int i = 0; i < FEATURES; i++) {
                    x[i] = (float) (random.nextGaussian() * 5);
                }
                stepper.advance(state, x);
                float[] p = stepper.probabilities(state);
                double sum = 0;
                for (float v : p) {
                    assertThat(v).isBetween(0f, 1f);
                    sum += v;
                }
                assertThat(sum)
                        .as("%s step %d", classifier.spec().cell(), t)
                        .isCloseTo(1.0, within(1e-6));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ServingPath.class)
    void aClassLogitMinusTheReturnedNormalizerIsItsLogProbability(ServingPath path) {
        Random random = new Random(5);
        for (SequenceClassifier classifier :
                List.of(lstm.withPath(path), featureClassifier(CellType.LSTM, 2).withPath(path))) {
            Stepper stepper = classifier.newStepper();
            RecurrentState state = classifier.initialState();
            float[] p = new float[LABELS.size()];
            for (int t = 0; t < 20; t++) {
                stepper.advance(state, scaled(gaussian(random, FEATURES), 3));
                double logNormalizer = stepper.probabilities(state, p);
                for (int k = 0; k < LABELS.size(); k++) {
                    assertThat(stepper.logit(state, k) - logNormalizer)
                            .as("step %d class %d", t, k)
                            .isCloseTo(Math.log(p[k]), within(1e-6));
                    assertThat(LanguageModel.surprise(stepper, state, logNormalizer, k))
                            .isCloseTo(LanguageModel.surprise(p, k), within(1e-6));
                }
            }
        }
        assertThatThrownBy(() -> lstm.newStepper().logit(lstm.initialState(), 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("class 3 is outside [0, 3)");
    }

    @ParameterizedTest
    @EnumSource(ServingPath.class)
    void oneStepperServesManyKeysWithoutMixingTheirStates(ServingPath path) {
        SequenceClassifier lstm = this.lstm.withPath(path);
        Stepper stepper = lstm.newStepper();
        RecurrentState keyA = lstm.initialState();
        RecurrentState keyB = lstm.initialState();
        float[][] sequenceA = {{1f, 0f, -1f}, {0.5f, 0.5f, 0.5f}};
        float[][] sequenceB = {{-2f, 1f, 0f}, {0f, 0f, 3f}};
        for (int t = 0; t < 2; t++) {
            stepper.advance(keyA, sequenceA[t]);
            stepper.advance(keyB, sequenceB[t]);
        }

        assertThat(stepper.probabilities(keyA)).containsExactly(lstm.classifyFeatures(sequenceA));
        assertThat(stepper.probabilities(keyB)).containsExactly(lstm.classifyFeatures(sequenceB));
    }

    @ParameterizedTest
    @EnumSource(ServingPath.class)
    void warmingUpStepsAScratchStateAndLeavesServedStatesAlone(ServingPath path) {
        for (SequenceClassifier classifier :
                List.of(lstm.withPath(path), elman.withPath(path), tokens.withPath(path))) {
            Stepper stepper = classifier.newStepper();
            RecurrentState served = classifier.initialState();
            float[] before = stepper.probabilities(served);

            assertThat(classifier.warmUp(250, java.time.Duration.ofMinutes(1))).isEqualTo(250);

            assertThat(served).isEqualTo(classifier.initialState());
            assertThat(stepper.probabilities(served)).containsExactly(before);
        }
        assertThat(lstm.warmUp(250, java.time.Duration.ZERO)).as("no time, no steps").isZero();
    }

    private static RecurrentState warmState(SequenceClassifier classifier, Stepper stepper) {
        RecurrentState state = classifier.initialState();
        stepper.advance(state, new float[] {0.3f, -1.2f, 2.0f});
        stepper.advance(state, new float[] {1.0f, 0.1f, -0.7f});
        return state;
    }

    private static SequenceClassifier featureClassifier(CellType cell, int layers) {
        ModelSpec spec =
                new ModelSpec(cell, layers, HIDDEN, InputKind.FEATURES, FEATURES, 0, LABELS);
        FeatureNormalizer normalizer =
                new FeatureNormalizer(new float[] {0f, 1f, -1f}, new float[] {1f, 2f, 0.5f});
        return new SequenceClassifier(randomWeights(spec, 11), normalizer, null);
    }

    private static SequenceClassifier tokenClassifier() {
        ModelSpec spec =
                new ModelSpec(
                        CellType.ELMAN, 1, HIDDEN, InputKind.TOKENS, VOCABULARY.size(), 2, LABELS);
        return new SequenceClassifier(randomWeights(spec, 13), null, VOCABULARY);
    }

    /**
     * Deterministic pseudo-random weights of the right shapes. Layer matrices are scaled by {@code
     * 2 / sqrt(fan-in)}, the order trained networks have: with unit-variance weights a wide layer
     * saturates (hiding errors) or turns chaotic (amplifying float rounding beyond any tolerance).
     */
    static NetworkWeights randomWeights(ModelSpec spec, long seed) {
        Random random = new Random(seed);
        int width = spec.cell().gateBlocks() * spec.hiddenSize();
        float[] embedding =
                spec.inputKind() == InputKind.TOKENS
                        ? gaussian(random, spec.inputSize() * spec.embeddingSize())
                        : null;
        List<RecurrentLayerWeights> layers = new java.util.ArrayList<>();
        int in = spec.firstLayerInputSize();
        for (int l = 0; l < spec.layers(); l++) {
            float scale = (float) (2 / Math.sqrt(in + spec.hiddenSize()));
            layers.add(
                    new RecurrentLayerWeights(
                            spec.cell(),
                            in,
                            spec.hiddenSize(),
                            scaled(gaussian(random, in * width), scale),
                            scaled(gaussian(random, spec.hiddenSize() * width), scale),
                            gaussian(random, width)));
            in = spec.hiddenSize();
        }
        return new NetworkWeights(
                spec,
                embedding,
                layers,
                gaussian(random, spec.hiddenSize() * spec.numClasses()),
                gaussian(random, spec.numClasses()));
    }

    private static float[] scaled(float[] values, float scale) {
        for (int i = 0; i < values.length; i++) {
            values[i] *= scale;
        }
        return values;
    }

    private static float[] gaussian(Random random, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }
}
