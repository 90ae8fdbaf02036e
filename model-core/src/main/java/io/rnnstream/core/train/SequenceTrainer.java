package io.rnnstream.core.train;

import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.data.LabeledSequence;
import io.rnnstream.core.data.Splits;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.core.model.Supervision;
import io.rnnstream.core.model.TrainingOptions;
import io.rnnstream.core.serving.FeatureNormalizer;
import io.rnnstream.core.serving.SequenceClassifier;
import io.rnnstream.core.text.Vocabulary;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Trains a many-to-one sequence classifier with DL4J: Adam, masks for variable lengths, gradient
 * clipping, and early stopping on a stratified validation split carved from the training data.
 * Standardization and the vocabulary are fitted on the training part only.
 *
 * <p>Gradients come from {@link TruncatedBpttFitter}: full BPTT when a batch's activations fit in
 * {@link WindowPlan}'s memory budget (or as asked), truncated BPTT in windows beyond it. The
 * updates, and everything around them, are the network's own.
 */
public final class SequenceTrainer {

    /** Receives one summary per epoch, e.g. to drive a progress bar. */
    public interface Listener {
        void onEpoch(EpochSummary summary);
    }

    /** What one epoch did. */
    public record EpochSummary(
            int epoch,
            int maxEpochs,
            double trainLoss,
            double validationLoss,
            double validationAccuracy,
            boolean improved,
            double seconds) {}

    /**
     * Starting point for a warm start: the parent network, normalizer and vocabulary, reused as
     * they are.
     */
    public record WarmStart(
            MultiLayerNetwork network,
            ModelSpec spec,
            FeatureNormalizer normalizer,
            Vocabulary vocabulary) {}

    /** How the gradients of a training update are computed; the updates are the same. */
    public enum Engine {
        /**
         * {@link TruncatedBpttFitter}: batched LSTM and Elman steps on ND4J arrays, windowed for
         * truncated BPTT. The default, for every configuration.
         */
        WINDOWED,
        /**
         * {@code MultiLayerNetwork.fit}, which runs layer by layer and step by step: a reference
         * for full BPTT only (DL4J's own truncated BPTT back-propagates each window from a zero
         * state), refused with a window length.
         */
        LAYER_BY_LAYER
    }

    private static final int EVALUATION_BATCH = 128;

    static {
        // Before ND4J loads: JavaCPP reads its settings once (see Nd4jSettings).
        Nd4jSettings.applyTrainingDefaults();
    }

    private SequenceTrainer() {}

    public static TrainedModel train(Dataset data, TrainingOptions options, Listener listener) {
        return train(data, options, null, listener);
    }

    public static TrainedModel train(
            Dataset data, TrainingOptions options, WarmStart warmStart, Listener listener) {
        return train(data, options, warmStart, listener, Engine.WINDOWED);
    }

    public static TrainedModel train(
            Dataset data,
            TrainingOptions options,
            WarmStart warmStart,
            Listener listener,
            Engine engine) {
        long started = System.nanoTime();
        Splits.Split split = Splits.stratified(data, options.validationFraction(), options.seed());
        Dataset train = split.train();
        Dataset validation = split.holdout();
        if (train.size() == 0 || validation.size() == 0) {
            throw new IllegalArgumentException(
                    "need at least two sequences per class to carve a validation split, got "
                            + data.size()
                            + " sequences");
        }

        FeatureNormalizer normalizer = null;
        Vocabulary vocabulary = null;
        ModelSpec spec;
        MultiLayerNetwork network;
        if (warmStart != null) {
            spec = warmStart.spec();
            normalizer = warmStart.normalizer();
            vocabulary = warmStart.vocabulary();
            checkWarmStart(spec, data);
            network = warmStart.network().clone();
        } else {
            int inputSize;
            if (data.inputKind() == InputKind.FEATURES) {
                normalizer = FeatureNormalizer.fit(features(train), data.featureDimension());
                inputSize = data.featureDimension();
            } else {
                vocabulary =
                        Vocabulary.build(
                                tokens(train), options.minTokenCount(), options.maxVocabulary());
                inputSize = vocabulary.size();
            }
            spec =
                    new ModelSpec(
                            options.cell(),
                            options.layers(),
                            options.hiddenSize(),
                            data.inputKind(),
                            inputSize,
                            data.inputKind() == InputKind.TOKENS ? options.embeddingSize() : 0,
                            data.labels());
            network = NetworkFactory.create(spec, options);
        }

        SequenceEncoder encoder = new SequenceEncoder(spec, normalizer, vocabulary);
        List<EncodedSequence> trainSet = encoder.encodeAll(train);
        List<EncodedSequence> validationSet = longestFirst(encoder.encodeAll(validation));
        int inputs = spec.inputKind() == InputKind.TOKENS ? 1 : spec.inputSize();

        int window = WindowPlan.forwardLength(options, spec, longest(trainSet));
        if (engine == Engine.LAYER_BY_LAYER && window > 0) {
            throw new IllegalArgumentException(
                    "the layer-by-layer engine trains with full BPTT only, the options ask for"
                            + " windows of "
                            + window
                            + " steps");
        }
        if (engine == Engine.LAYER_BY_LAYER && options.gradientNormClip() > 0) {
            throw new IllegalArgumentException(
                    "the layer-by-layer engine clips element-wise only, the options ask for a"
                            + " gradient-norm clip of "
                            + options.gradientNormClip());
        }
        int backward = WindowPlan.backwardLength(options, window);
        TruncatedBpttFitter fitter =
                engine == Engine.WINDOWED
                        ? new TruncatedBpttFitter(
                                network, spec, window, backward, options.gradientNormClip())
                        : null;
        // The artifact records the window actually trained with, chosen or given.
        TrainingOptions recorded =
                options.toBuilder().tbpttLength(window).tbpttBackLength(backward).build();
        Random random = new Random(options.seed());
        List<EpochSummary> history = new ArrayList<>();
        INDArray bestParams = network.params().dup();
        // The fused engine's forward pass where it trains, DL4J's network.output otherwise.
        Function<List<EncodedSequence>, float[][]> validationOutputs =
                fitter != null
                        ? batch ->
                                fitter.lastStepProbabilities(
                                        BatchBuilder.build(
                                                batch,
                                                inputs,
                                                spec.numClasses(),
                                                Supervision.LAST_STEP))
                        : batch -> lastStepOutputs(network, batch, inputs, spec.numClasses());
        // Scored window by window as trained, in batches whose activations fit the same budget.
        int evaluationBatch =
                WindowPlan.evaluationBatch(
                        spec, window > 0 ? window : longest(validationSet), EVALUATION_BATCH);
        Score best = score(validationSet, validationOutputs, evaluationBatch);
        int bestEpoch = 0;
        int sinceBest = 0;
        long updatesSinceBest = 0;
        for (int epoch = 1;
                epoch <= options.maxEpochs()
                        && !(sinceBest >= options.patience()
                                && updatesSinceBest >= options.patienceUpdates());
                epoch++) {
            long epochStart = System.nanoTime();
            List<EncodedSequence> order = new ArrayList<>(trainSet);
            Collections.shuffle(order, random);
            double lossSum = 0;
            int batches = 0;
            for (int from = 0; from < order.size(); from += options.batchSize()) {
                List<EncodedSequence> batch =
                        longestFirst(
                                order.subList(
                                        from, Math.min(order.size(), from + options.batchSize())));
                DataSet dataSet =
                        BatchBuilder.build(batch, inputs, spec.numClasses(), options.supervision());
                if (fitter != null) {
                    lossSum += fitter.fit(dataSet);
                } else {
                    network.fit(dataSet);
                    lossSum += network.score();
                }
                batches++;
            }
            Score current = score(validationSet, validationOutputs, evaluationBatch);
            boolean improved = current.betterThan(best);
            if (improved) {
                best = current;
                bestParams = network.params().dup();
                bestEpoch = epoch;
                sinceBest = 0;
                updatesSinceBest = 0;
            } else {
                sinceBest++;
                updatesSinceBest += batches;
            }
            EpochSummary summary =
                    new EpochSummary(
                            epoch,
                            options.maxEpochs(),
                            lossSum / batches,
                            current.loss(),
                            current.accuracy(),
                            improved,
                            (System.nanoTime() - epochStart) / 1e9);
            history.add(summary);
            if (listener != null) {
                listener.onEpoch(summary);
            }
        }
        network.setParams(bestParams);
        SequenceClassifier classifier =
                new SequenceClassifier(ServingExport.export(network, spec), normalizer, vocabulary);
        return new TrainedModel(
                classifier,
                network,
                recorded,
                history,
                bestEpoch,
                best.accuracy(),
                best.loss(),
                train.size(),
                validation.size(),
                (System.nanoTime() - started) / 1e9);
    }

    /**
     * The sequences longest first, equal lengths in their order: a batch in this order runs only
     * its valid steps through the recurrent layers ({@link StepRows}); the order of a batch's rows
     * changes nothing else.
     */
    private static List<EncodedSequence> longestFirst(List<EncodedSequence> sequences) {
        List<EncodedSequence> ordered = new ArrayList<>(sequences);
        ordered.sort(Comparator.comparingInt(EncodedSequence::length).reversed());
        return ordered;
    }

    private static int longest(List<EncodedSequence> sequences) {
        int longest = 0;
        for (EncodedSequence sequence : sequences) {
            longest = Math.max(longest, sequence.length());
        }
        return longest;
    }

    /**
     * Probabilities at each sequence's last valid step, as DL4J computes them on whole sequences.
     */
    public static float[][] dl4jProbabilities(
            MultiLayerNetwork network,
            ModelSpec spec,
            FeatureNormalizer normalizer,
            Vocabulary vocabulary,
            List<LabeledSequence> sequences) {
        SequenceEncoder encoder = new SequenceEncoder(spec, normalizer, vocabulary);
        List<EncodedSequence> encoded = new ArrayList<>();
        for (LabeledSequence sequence : sequences) {
            encoded.add(encoder.encode(sequence));
        }
        int inputs = spec.inputKind() == InputKind.TOKENS ? 1 : spec.inputSize();
        float[][] result = new float[encoded.size()][];
        int row = 0;
        for (int from = 0; from < encoded.size(); from += EVALUATION_BATCH) {
            List<EncodedSequence> batch =
                    encoded.subList(from, Math.min(encoded.size(), from + EVALUATION_BATCH));
            for (float[] probabilities :
                    lastStepOutputs(network, batch, inputs, spec.numClasses())) {
                result[row++] = probabilities;
            }
        }
        return result;
    }

    private static float[][] lastStepOutputs(
            MultiLayerNetwork network, List<EncodedSequence> batch, int inputs, int classes) {
        DataSet dataSet = BatchBuilder.build(batch, inputs, classes, Supervision.LAST_STEP);
        INDArray output =
                network.output(dataSet.getFeatures(), false, dataSet.getFeaturesMaskArray(), null);
        float[][] result = new float[batch.size()][classes];
        for (int b = 0; b < batch.size(); b++) {
            int last = batch.get(b).length() - 1;
            for (int c = 0; c < classes; c++) {
                result[b][c] = output.getFloat(b, c, last);
            }
        }
        return result;
    }

    private record Score(double accuracy, double loss) {
        boolean betterThan(Score other) {
            return accuracy > other.accuracy || (accuracy == other.accuracy && loss < other.loss);
        }
    }

    private static Score score(
            List<EncodedSequence> sequences,
            Function<List<EncodedSequence>, float[][]> outputsAtLastSteps,
            int batchSize) {
        int correct = 0;
        double loss = 0;
        for (int from = 0; from < sequences.size(); from += batchSize) {
            List<EncodedSequence> batch =
                    sequences.subList(from, Math.min(sequences.size(), from + batchSize));
            float[][] outputs = outputsAtLastSteps.apply(batch);
            for (int b = 0; b < batch.size(); b++) {
                int label = batch.get(b).label();
                int predicted = SequenceClassifier.argMax(outputs[b]);
                if (predicted == label) {
                    correct++;
                }
                loss -= Math.log(Math.max(outputs[b][label], 1e-12));
            }
        }
        return new Score((double) correct / sequences.size(), loss / sequences.size());
    }

    private static void checkWarmStart(ModelSpec spec, Dataset data) {
        if (spec.inputKind() != data.inputKind()) {
            throw new IllegalArgumentException(
                    "the parent model takes "
                            + spec.inputKind()
                            + ", the data holds "
                            + data.inputKind());
        }
        if (spec.inputKind() == InputKind.FEATURES && spec.inputSize() != data.featureDimension()) {
            throw new IllegalArgumentException(
                    "the parent model takes "
                            + spec.inputSize()
                            + " features per step, the data has "
                            + data.featureDimension());
        }
        if (!spec.labels().containsAll(data.labels())) {
            throw new IllegalArgumentException(
                    "the data has labels "
                            + data.labels()
                            + " that the parent model "
                            + spec.labels()
                            + " lacks");
        }
    }

    private static List<float[][]> features(Dataset dataset) {
        List<float[][]> result = new ArrayList<>();
        for (LabeledSequence sequence : dataset.sequences()) {
            result.add(sequence.features());
        }
        return result;
    }

    private static List<List<String>> tokens(Dataset dataset) {
        List<List<String>> result = new ArrayList<>();
        for (LabeledSequence sequence : dataset.sequences()) {
            result.add(sequence.tokens());
        }
        return result;
    }
}
