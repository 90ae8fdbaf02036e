package io.rnnstream.demo;

import io.rnnstream.core.data.LabeledSequence;
import io.rnnstream.core.serving.RecurrentState;
import io.rnnstream.core.serving.SequenceClassifier;
import io.rnnstream.core.serving.Stepper;
import java.util.ArrayList;
import java.util.List;

/**
 * The hidden-unit activations {@code h_t} of a model's top recurrent layer while it reads one
 * sequence, step by step through the same serving step the stream uses (as in Karpathy et al.
 * 2015's cell visualisations).
 *
 * @param title what the sequence is
 * @param actual the sequence's true label
 * @param labels the model's labels, in its output order
 * @param steps one label per step: the word, or the frame number
 * @param values {@code values[unit][step]}, each in [-1, 1]
 * @param probabilities {@code probabilities[step][label]}: the model's output after each step
 */
public record Heatmap(
        String title,
        String actual,
        List<String> labels,
        List<String> steps,
        float[][] values,
        float[][] probabilities) {

    /** The label the model would give if the sequence ended after {@code step}. */
    public int predictedAt(int step) {
        float[] p = probabilities[step];
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Runs {@code sequence} through {@code classifier}, recording at most {@code maxUnits}. */
    static Heatmap of(
            String title, SequenceClassifier classifier, LabeledSequence sequence, int maxUnits) {
        int hidden = classifier.spec().hiddenSize();
        int layers = classifier.spec().layers();
        // RecurrentState holds every layer's h (and c); the top layer's h starts here.
        int top = (layers - 1) * (classifier.stateSize() / layers);
        int units = Math.min(maxUnits, hidden);
        int length = sequence.length();
        float[][] values = new float[units][length];
        float[][] probabilities = new float[length][];
        List<String> steps = new ArrayList<>(length);
        Stepper stepper = classifier.newStepper();
        RecurrentState state = classifier.initialState();
        for (int t = 0; t < length; t++) {
            if (sequence.tokens() != null) {
                String token = sequence.tokens().get(t);
                stepper.advanceToken(state, classifier.vocabulary().id(token));
                steps.add(token);
            } else {
                stepper.advance(state, sequence.features()[t]);
                steps.add(Integer.toString(t + 1));
            }
            for (int u = 0; u < units; u++) {
                values[u][t] = state.values()[top + u];
            }
            probabilities[t] = stepper.probabilities(state).clone();
        }
        return new Heatmap(
                title, sequence.label(), classifier.spec().labels(), steps, values, probabilities);
    }
}
