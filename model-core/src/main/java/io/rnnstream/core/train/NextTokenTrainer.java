package io.rnnstream.core.train;

import io.rnnstream.core.model.Initialization;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.core.model.TrainingOptions;
import io.rnnstream.core.serving.LanguageModel;
import io.rnnstream.core.serving.NetworkWeights;
import io.rnnstream.core.serving.SequenceClassifier;
import io.rnnstream.core.text.Vocabulary;
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

    /**
     * The defaults for a language model, char-rnn's recipe: one LSTM layer of 256 units, windows of
     * 100 steps over 32 parallel streams, Adam 2e-3, the gradient's norm clipped at 5, no weight
     * decay, at most 20 epochs and stopping after 2 without a better validation loss; weights and
     * biases drawn as PyTorch draws them ({@link Initialization#UNIFORM_HIDDEN}), the forget gates'
     * biases around zero, and the LSTM's biases trained at twice the learning rate, as PyTorch's
     * two bias vectors train.
     *
     * <p>Not DL4J's initialization, whose biases all start at constants: a language model trained
     * as a few long streams sees a zero state only where a stream starts, and from constant biases
     * some starts (a new speaker after a blank line in tinyshakespeare) lead it into a state it
     * never leaves, predicting confidently wrong characters for the rest of the stream; DL4J's
     * forget-gate bias of 1 makes that more likely still. The same happens to PyTorch's reference
     * started from constant biases; the experiment is in the language-model bench report. Biases
     * that learn at half PyTorch's rate (DL4J's single bias vector at the learning rate) leave the
     * model in such states on about a third of the seeds, where PyTorch's recipe reached none.
     */
    public static TrainingOptions defaultOptions() {
        return TrainingOptions.builder()
                .hiddenSize(256)
                .tbpttLength(DEFAULT_WINDOW)
                .batchSize(32)
                .learningRate(2e-3)
                .gradientClip(0)
                .gradientNormClip(5)
                .forgetGateBias(0)
                .initialization(Initialization.UNIFORM_HIDDEN)
                .recurrentBiasLearningRateMultiplier(2)
                .l2(0)
                .maxEpochs(20)
                .patience(2)
                .build();
    }

    /** Receives progress within an epoch and a summary after every epoch. */
    public interface Listener {
        void onEpoch(Epoch epoch);

        /** After each window of an epoch: {@code window} of {@code windows} (both from 1). */
        default void onWindow(int epoch, long window, long windows) {}
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

    /**
     * The trained network (best epoch's weights), its spec, the options as trained (with the window
     * actually used) and what training did.
     */
    public record Result(
            MultiLayerNetwork network,
            ModelSpec spec,
            TrainingOptions options,
            List<Epoch> history,
            double bestValidationLoss,
            UpdateTimings timings,
            int trainTokens,
            int validationTokens,
            double trainSeconds) {

        /** The epoch with the best validation loss, whose weights the network holds. */
        public Epoch bestEpoch() {
            return history.stream()
                    .min(java.util.Comparator.comparingDouble(Epoch::validationLoss))
                    .orElseThrow();
        }

        /** The network on the serving step. */
        public LanguageModel languageModel() {
            NetworkWeights weights = ServingExport.export(network, spec);
            return new LanguageModel(
                    spec.inputKind() == InputKind.FEATURES
                            ? new SequenceClassifier(
                                    weights, LanguageModel.oneHotNormalizer(spec.inputSize()), null)
                            : new SequenceClassifier(weights, null, new Vocabulary(spec.labels())));
        }
    }

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
                        network,
                        spec,
                        window,
                        WindowPlan.backwardLength(options, window),
                        options.gradientNormClip());
        int oneHot = input == InputKind.FEATURES ? vocabulary : 0;

        long trainingStarted = System.nanoTime();
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
            long windows = windowsPerPass(train.length, options.batchSize(), window);
            int current = epoch;
            long[] seen = {0};
            TruncatedBpttFitter.WindowObserver progress =
                    listener == null
                            ? null
                            : (w, start, result) -> listener.onWindow(current, ++seen[0], windows);
            TruncatedBpttFitter.StreamsResult run =
                    fitter.fit(streams, maxUpdates == 0 ? 0 : maxUpdates - updates, progress);
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
        TrainingOptions recorded =
                options.toBuilder()
                        .tbpttLength(window)
                        .tbpttBackLength(WindowPlan.backwardLength(options, window))
                        .build();
        return new Result(
                network,
                spec,
                recorded,
                history,
                best,
                fitter.timings(),
                train.length,
                validation.length,
                (System.nanoTime() - trainingStarted) / 1e9);
    }

    /** Windows in one pass over {@code tokens} tokens cut into {@code streams} streams. */
    static long windowsPerPass(int tokens, int streams, int window) {
        int length = tokens / streams;
        return (length - 1 + window - 1) / window;
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
