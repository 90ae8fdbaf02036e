package io.rnnstream.core.train;

import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.core.model.TrainingOptions;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Trains a next-token language model (many-to-many: the target at each step is the next token) with
 * stateful truncated BPTT: the training text is cut into {@code batchSize} parallel streams, each
 * update reads the next {@code tbpttLength} tokens of every stream, and each stream's state carries
 * over from update to update. Validation loss in nats per token, on the validation text cut the
 * same way and run with the state carried, after every epoch; the best epoch's weights are kept and
 * training stops after {@code patience} epochs without a better one.
 *
 * <p>Input is one-hot ({@link InputKind#FEATURES} with one input per symbol, as char-rnn) or a
 * learned embedding ({@link InputKind#TOKENS}).
 */
public final class NextTokenTrainer {

    /** The window when the options leave it to the trainer: char-rnn's sequence length. */
    public static final int DEFAULT_WINDOW = 100;

    /** Receives a summary after every epoch. */
    public interface Listener {
        void onEpoch(Epoch epoch);
    }

    /**
     * One epoch: the mean training loss of its updates and the validation loss, both in nats per
     * token, and the training tokens per second.
     */
    public record Epoch(
            int epoch,
            double trainLoss,
            double validationLoss,
            long updates,
            double tokensPerSecond,
            boolean improved) {

        public double validationBitsPerToken() {
            return validationLoss / Math.log(2);
        }
    }

    /** The trained network (best epoch's weights), its spec and what training did. */
    public record Result(
            MultiLayerNetwork network,
            ModelSpec spec,
            List<Epoch> history,
            double bestValidationLoss,
            UpdateTimings timings) {}

    static {
        // Before ND4J loads: JavaCPP reads its settings once (see Nd4jSettings).
        Nd4jSettings.applyTrainingDefaults();
    }

    private NextTokenTrainer() {}

    /**
     * Trains on token ids {@code train}, validating on {@code validation}.
     *
     * @param symbols the vocabulary, in id order: the output layer's classes
     * @param input one-hot ({@code FEATURES}) or embedded ({@code TOKENS}) input
     * @param maxUpdates stop after this many updates in all (0: no limit); for measurements
     */
    public static Result train(
            int[] train,
            int[] validation,
            List<String> symbols,
            InputKind input,
            TrainingOptions options,
            long maxUpdates,
            Listener listener) {
        int vocabulary = symbols.size();
        checkIds(train, vocabulary, "training");
        checkIds(validation, vocabulary, "validation");
        ModelSpec spec =
                new ModelSpec(
                        options.cell(),
                        options.layers(),
                        options.hiddenSize(),
                        input,
                        vocabulary,
                        input == InputKind.TOKENS ? options.embeddingSize() : 0,
                        symbols);
        int window = options.tbpttLength() > 0 ? options.tbpttLength() : DEFAULT_WINDOW;
        MultiLayerNetwork network = NetworkFactory.create(spec, options);
        TruncatedBpttFitter fitter =
                new TruncatedBpttFitter(
                        network, spec, window, WindowPlan.backwardLength(options, window));
        int oneHot = input == InputKind.FEATURES ? vocabulary : 0;

        List<Epoch> history = new ArrayList<>();
        double best = Double.POSITIVE_INFINITY;
        INDArray bestParams = network.params().dup();
        int sinceBest = 0;
        long updates = 0;
        for (int epoch = 1;
                epoch <= options.maxEpochs() && sinceBest < options.patience();
                epoch++) {
            ParallelStreams streams =
                    new ParallelStreams(
                            ParallelStreams.split(train, options.batchSize()),
                            window,
                            0,
                            oneHot,
                            vocabulary);
            long started = System.nanoTime();
            TruncatedBpttFitter.StreamsResult run =
                    fitter.fit(streams, maxUpdates == 0 ? 0 : maxUpdates - updates, null);
            updates += run.updates();
            long epochUpdates = run.updates();
            double seconds = (System.nanoTime() - started) / 1e9;
            double validationLoss =
                    validationLoss(
                            fitter, validation, options.batchSize(), window, oneHot, vocabulary);
            boolean improved = validationLoss < best;
            if (improved) {
                best = validationLoss;
                bestParams = network.params().dup();
                sinceBest = 0;
            } else {
                sinceBest++;
            }
            Epoch summary =
                    new Epoch(
                            epoch,
                            epochUpdates == 0 ? 0 : run.meanScore() / window,
                            validationLoss,
                            epochUpdates,
                            epochUpdates * (double) window * options.batchSize() / seconds,
                            improved);
            history.add(summary);
            if (listener != null) {
                listener.onEpoch(summary);
            }
            if (maxUpdates > 0 && updates >= maxUpdates) {
                break;
            }
        }
        network.setParams(bestParams);
        return new Result(network, spec, history, best, fitter.timings());
    }

    /** Nats per token on {@code ids}, read as {@code streams} streams with the state carried. */
    private static double validationLoss(
            TruncatedBpttFitter fitter,
            int[] ids,
            int streamCount,
            int window,
            int oneHot,
            int vocabulary) {
        int streams = Math.max(1, Math.min(streamCount, ids.length / (window + 1)));
        ParallelStreams input =
                new ParallelStreams(
                        ParallelStreams.split(ids, streams), window, 0, oneHot, vocabulary);
        TruncatedBpttFitter.Evaluation evaluation = fitter.evaluate(input);
        evaluation.end().release();
        return evaluation.summedLoss() / evaluation.targets();
    }

    private static void checkIds(int[] ids, int vocabulary, String part) {
        if (ids.length < 2) {
            throw new IllegalArgumentException(
                    "the " + part + " text needs at least 2 tokens, got " + ids.length);
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocabulary) {
                throw new IllegalArgumentException(
                        "the "
                                + part
                                + " text's token "
                                + i
                                + " has id "
                                + ids[i]
                                + ", outside the vocabulary of "
                                + vocabulary);
            }
        }
    }
}
