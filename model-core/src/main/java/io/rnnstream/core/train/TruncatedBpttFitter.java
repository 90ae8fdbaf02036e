package io.rnnstream.core.train;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import io.rnnstream.core.model.CellType;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Trains a network that {@link NetworkFactory} built with truncated back-propagation through time,
 * TBPTT(k1, k2): the sequences run forward in windows of {@code k1} steps, each window starting
 * from the state the previous one ended in; each window with a loss is one update, whose gradient
 * flows back through the last {@code k2} steps of the window only and stops at the state those
 * steps start from, which enters as a constant. The first {@code k1 - k2} steps of a window run
 * forward only; their losses still reach the output layer. Full BPTT is the case of a window that
 * covers the whole batch ({@code k1 = 0} here).
 *
 * <p>The recurrent layers run as batched steps on ND4J arrays ({@link LstmLayerOps}, {@link
 * ElmanLayerOps}); the output layer (softmax and cross-entropy on the supervised steps) and the
 * token embedding are a few array operations here. Every gradient is a sum over the batch, as
 * DL4J's layers produce it, and is written into the network's own gradient views and stepped by the
 * network's own updater ({@link NetworkUpdater}): clipping, L2, Adam and the updater state saved in
 * the artifact stay DL4J's, and the network always holds the current parameters.
 *
 * <p>Windows without a supervised step (the early windows of long sequences under last-step
 * supervision) only carry the state forward: they make no update, where DL4J's updater would still
 * move the parameters by Adam's momentum on a zero gradient.
 *
 * <p>Memory is bounded by the window, not the sequence: only one window's activations exist at a
 * time, and they are freed when it ends.
 */
final class TruncatedBpttFitter {

    /** What a window did: its score (NaN without a supervised step) and the state it ended in. */
    record WindowResult(double score, boolean updated, RecurrentState end) {}

    private final MultiLayerNetwork network;
    private final ModelSpec spec;
    private final int forwardLength;
    private final int backwardLength;
    private final INDArray flatGradients;

    /** The token embedding; null for feature input. */
    private final NetworkParameter embedding;

    private final List<RecurrentLayerOps> layers = new ArrayList<>();
    private final List<NetworkParameter> parameters = new ArrayList<>();
    private final NetworkParameter outputWeights;
    private final NetworkParameter outputBias;
    private final UpdateTimings timings = new UpdateTimings();
    private final NetworkUpdater updater;
    private final RegularizationPenalty penalty;
    private final ColumnSums outputColumnSums = new ColumnSums();
    private final SoftmaxCrossEntropy softmax = new SoftmaxCrossEntropy();
    private final double[] outputBiasValues;
    private double[] rowWeights = new double[0];
    private final double gradientNormClip;

    /**
     * A fitter for {@code network}.
     *
     * @param forwardLength k1, the window length in steps; 0 for full BPTT
     * @param backwardLength k2, the steps at the end of each window that gradients flow through; 0
     *     for all of them
     */
    TruncatedBpttFitter(
            MultiLayerNetwork network, ModelSpec spec, int forwardLength, int backwardLength) {
        this(network, spec, forwardLength, backwardLength, 0);
    }

    /**
     * A fitter that also scales each update's gradient down to {@code gradientNormClip}, see {@link
     * io.rnnstream.core.model.TrainingOptions#gradientNormClip()}; 0 leaves it unscaled.
     */
    TruncatedBpttFitter(
            MultiLayerNetwork network,
            ModelSpec spec,
            int forwardLength,
            int backwardLength,
            double gradientNormClip) {
        if (forwardLength < 0
                || backwardLength < 0
                || (forwardLength > 0 && backwardLength > forwardLength)) {
            throw new IllegalArgumentException(
                    "truncated BPTT needs 0 <= backward length <= forward length, got forward "
                            + forwardLength
                            + " and backward "
                            + backwardLength);
        }
        this.network = network;
        this.spec = spec;
        this.forwardLength = forwardLength;
        this.backwardLength = backwardLength;
        this.gradientNormClip = gradientNormClip;
        if (network.getFlattenedGradients() == null) {
            network.initGradientsView();
        }
        this.flatGradients = network.getFlattenedGradients();
        this.updater = new NetworkUpdater(network);
        this.penalty = RegularizationPenalty.of(network);
        int index = 0;
        this.embedding =
                spec.inputKind() == InputKind.TOKENS
                        ? track(NetworkParameter.of(network.getLayer(index++), "W"))
                        : null;
        for (int l = 0; l < spec.layers(); l++) {
            Layer layer = network.getLayer(index++);
            NetworkParameter input = track(NetworkParameter.of(layer, "W"));
            NetworkParameter recurrent = track(NetworkParameter.of(layer, "RW"));
            NetworkParameter bias = track(NetworkParameter.of(layer, "b"));
            layers.add(
                    spec.cell() == CellType.LSTM
                            ? new LstmLayerOps(input, recurrent, bias)
                            : new ElmanLayerOps(input, recurrent, bias));
        }
        Layer output = network.getLayer(index);
        this.outputWeights = track(NetworkParameter.of(output, "W"));
        this.outputBias = track(NetworkParameter.of(output, "b"));
        this.outputBiasValues = new double[Math.toIntExact(outputBias.value().length())];
    }

    /** The gradient view of every parameter, by DL4J's key ({@code "1_RW"}). */
    Map<String, INDArray> gradientViews() {
        Map<String, INDArray> views = new LinkedHashMap<>();
        for (NetworkParameter parameter : parameters) {
            views.put(parameter.key(), parameter.gradient());
        }
        return views;
    }

    private NetworkParameter track(NetworkParameter parameter) {
        parameters.add(parameter);
        return parameter;
    }

    /** Where the time of this fitter's windows went so far. */
    UpdateTimings timings() {
        return timings;
    }

    /** Every stream at a zero state: the start of a batch of independent sequences. */
    RecurrentState zeroState(long batch) {
        List<LayerState> states = new ArrayList<>();
        for (RecurrentLayerOps layer : layers) {
            states.add(layer.zeroState(batch));
        }
        return new RecurrentState(states);
    }

    /**
     * Trains on a batch of independent sequences (as {@link BatchBuilder} packs them), each from a
     * zero state, one update per window that holds a supervised step; returns the mean score of
     * those updates, each as {@code network.score()} would report it (the window's loss divided by
     * the batch size, plus the L2 penalty).
     */
    double fit(DataSet batch) {
        RecurrentState state = zeroState(batch.getFeatures().size(0));
        double scores = 0;
        int updates = 0;
        for (DataSet window : windows(batch)) {
            WindowResult result = fitWindow(window, state);
            state.release();
            state = result.end();
            if (result.updated()) {
                scores += result.score();
                updates++;
            }
        }
        state.release();
        return updates == 0 ? Double.NaN : scores / updates;
    }

    /** Sees each window of a stateful run: the state it started from and what it did. */
    interface WindowObserver {
        void onWindow(ParallelStreams.Window window, RecurrentState start, WindowResult result);
    }

    /** What a stateful run did: the mean score of its updates (NaN without any) and their count. */
    record StreamsResult(double meanScore, long updates) {}

    /**
     * Stateful truncated BPTT: trains on {@code streams} window by window, each window starting
     * from the state the previous one ended in, except for the streams that start a new sequence,
     * which start from zero; stops after {@code maxUpdates} updates (0: at the streams' end).
     */
    StreamsResult fit(ParallelStreams streams, long maxUpdates, WindowObserver observer) {
        RecurrentState state = zeroState(streams.streamCount());
        double scores = 0;
        long updates = 0;
        while (streams.hasNext() && (maxUpdates == 0 || updates < maxUpdates)) {
            ParallelStreams.Window window = streams.next();
            RecurrentState start = state.resetRows(window.reset());
            state.release();
            WindowResult result = fitWindow(window.data(), start);
            if (observer != null) {
                observer.onWindow(window, start, result);
            }
            start.release();
            window.release();
            state = result.end();
            if (result.updated()) {
                scores += result.score();
                updates++;
            }
        }
        state.release();
        return new StreamsResult(updates == 0 ? Double.NaN : scores / updates, updates);
    }

    /**
     * The summed negative log-likelihood of every target of {@code streams} and their count, read
     * window by window with the state carried as in {@link #fit(ParallelStreams, long,
     * WindowObserver)}, without gradients or updates.
     */
    Evaluation evaluate(ParallelStreams streams) {
        RecurrentState state = zeroState(streams.streamCount());
        double loss = 0;
        long targets = 0;
        while (streams.hasNext()) {
            ParallelStreams.Window window = streams.next();
            RecurrentState start = state.resetRows(window.reset());
            state.release();
            Evaluation evaluation = evaluate(window.data(), start);
            start.release();
            window.release();
            loss += evaluation.summedLoss();
            targets += evaluation.targets();
            state = evaluation.end();
        }
        return new Evaluation(loss, targets, state);
    }

    /** The batch cut into windows of {@code k1} steps (one window for full BPTT). */
    List<DataSet> windows(DataSet batch) {
        long steps = batch.getFeatures().size(2);
        int length = forwardLength == 0 ? (int) steps : forwardLength;
        if (length >= steps) {
            // One window covers the batch: the batch itself, without views of its arrays.
            return List.of(batch);
        }
        List<DataSet> windows = new ArrayList<>();
        INDArray featureMask = batch.getFeaturesMaskArray();
        for (long from = 0; from < steps; from += length) {
            long to = Math.min(steps, from + length);
            windows.add(
                    new DataSet(
                            batch.getFeatures().get(all(), all(), interval(from, to)),
                            batch.getLabels().get(all(), all(), interval(from, to)),
                            featureMask == null ? null : featureMask.get(all(), interval(from, to)),
                            batch.getLabelsMaskArray().get(all(), interval(from, to))));
        }
        return windows;
    }

    /**
     * One window from {@code start}: the gradient of its loss, and an update with it if the window
     * holds a supervised step. {@code window} holds features {@code [batch, inputs, steps]} (token
     * ids as {@code [batch, 1, steps]}), one-hot labels {@code [batch, classes, steps]} and the
     * label mask {@code [batch, steps]}.
     */
    WindowResult fitWindow(DataSet window, RecurrentState start) {
        try (Scratch scratch = new Scratch()) {
            WindowResult result = gradient(window, start, scratch);
            if (result.updated()) {
                long started = System.nanoTime();
                clipGradientNorm(window);
                updater.step((int) window.getFeatures().size(0));
                network.setScore(result.score());
                timings.update += System.nanoTime() - started;
                timings.updates++;
            }
            return result;
        }
    }

    /**
     * The window's score and end state, with the gradient of its loss written into the network's
     * gradient views (left untouched for a window without a supervised step); no update.
     */
    WindowResult gradient(DataSet window, RecurrentState start, Scratch scratch) {
        long steps = window.getFeatures().size(2);
        long batch = window.getFeatures().size(0);
        long leadIn = backwardLength == 0 || backwardLength >= steps ? 0 : steps - backwardLength;
        ForwardPass pass = forward(window, start, leadIn, scratch);
        SupervisedRows supervised = supervisedRows(window);
        if (supervised.steps() == 0) {
            return new WindowResult(Double.NaN, false, pass.end());
        }
        long started = System.nanoTime();
        OutputLoss output = outputLoss(window, pass.top(), supervised.weights(), true, scratch);
        INDArray logitsGradient = output.logitsGradient();
        outputWeights.setGradientToProduct(
                NativeMatrix.of(output.top2d()), true, NativeMatrix.of(logitsGradient), false);
        outputColumnSums.into(logitsGradient, outputBias.gradientMatrix());
        INDArray topGradient =
                Blas.product(logitsGradient, false, outputWeights.value(), true, scratch)
                        .reshape('c', steps, batch, spec.hiddenSize());
        timings.output += System.nanoTime() - started;

        started = System.nanoTime();
        // Only the steps after the lead-in back-propagate into the recurrent layers.
        INDArray gradient =
                leadIn > 0
                        ? scratch.add(
                                topGradient.get(interval(leadIn, steps), all(), all()).dup('c'))
                        : topGradient;
        for (int l = layers.size() - 1; l >= 0; l--) {
            boolean inputGradient = l > 0 || embedding != null;
            gradient =
                    layers.get(l)
                            .backward(pass.forwards().get(l), gradient, inputGradient, scratch);
        }
        if (embedding != null) {
            INDArray backpropagated =
                    leadIn > 0
                            ? scratch.add(
                                    pass.tokens().get(interval(leadIn * batch, steps * batch)))
                            : pass.tokens();
            embedding.setGradient(scratch.add(embeddingGradient(backpropagated, gradient)));
        }
        timings.backward += System.nanoTime() - started;
        // DL4J scores with the penalty of the parameters the gradient was taken at.
        double loss = output.summedLoss() / batch;
        return new WindowResult(loss + penalty.value(), true, pass.end());
    }

    /** The summed negative log-likelihood of a window's targets, their count, and the end state. */
    record Evaluation(double summedLoss, long targets, RecurrentState end) {}

    /** Runs a window forward and scores its targets, without gradients or updates. */
    Evaluation evaluate(DataSet window, RecurrentState start) {
        try (Scratch scratch = new Scratch()) {
            ForwardPass pass = forward(window, start, 0, scratch);
            SupervisedRows supervised = supervisedRows(window);
            long targets = Math.round(supervised.steps());
            double loss =
                    targets == 0
                            ? 0
                            : outputLoss(window, pass.top(), supervised.weights(), false, scratch)
                                    .summedLoss();
            return new Evaluation(loss, targets, pass.end());
        }
    }

    /**
     * The output probabilities of each sequence of {@code batch} at the step its label mask marks
     * (its last valid step, as {@link BatchBuilder} packs a batch for last-step supervision), run
     * window by window with the state carried as in {@link #fit(DataSet)}; no gradients. A sequence
     * with no marked step gets null.
     */
    float[][] lastStepProbabilities(DataSet batch) {
        int sequences = (int) batch.getFeatures().size(0);
        float[][] result = new float[sequences][];
        RecurrentState state = zeroState(sequences);
        for (DataSet window : windows(batch)) {
            try (Scratch scratch = new Scratch()) {
                ForwardPass pass = forward(window, state, 0, scratch);
                state.release();
                state = pass.end();
                float[] marked = HostRuns.floats(window.getLabelsMaskArray());
                int steps = marked.length / sequences;
                List<Integer> owners = new ArrayList<>();
                List<Integer> rows = new ArrayList<>();
                for (int b = 0; b < sequences; b++) {
                    for (int t = 0; t < steps; t++) {
                        if (marked[b * steps + t] != 0) {
                            owners.add(b);
                            rows.add(t * sequences + b);
                        }
                    }
                }
                if (rows.isEmpty()) {
                    continue;
                }
                INDArray top2d = pass.top().reshape('c', pass.top().size(0) * sequences, -1);
                INDArray selected =
                        scratch.add(
                                Nd4j.pullRows(
                                        top2d,
                                        1,
                                        rows.stream().mapToInt(Integer::intValue).toArray()));
                float[][] values =
                        softmax.probabilities(logits(selected, scratch), outputBiasValues());
                for (int i = 0; i < owners.size(); i++) {
                    result[owners.get(i)] = values[i];
                }
            }
        }
        state.release();
        return result;
    }

    /** What the backward pass needs of a window's forward pass. */
    private record ForwardPass(
            INDArray tokens,
            List<RecurrentLayerOps.Forward> forwards,
            INDArray top,
            RecurrentState end) {}

    /**
     * Runs the window forward from {@code start}: the first {@code leadIn} steps forward only, the
     * state they end in entering the rest as a constant. {@code top} holds the last layer's output
     * at every step of the window, {@code [steps, batch, hidden]}.
     */
    private ForwardPass forward(
            DataSet window, RecurrentState start, long leadIn, Scratch scratch) {
        long started = System.nanoTime();
        INDArray features = window.getFeatures();
        long batch = features.size(0);
        long steps = features.size(2);
        INDArray tokens = embedding == null ? null : scratch.add(timeMajorTokens(features));
        INDArray inputs =
                embedding == null
                        ? scratch.add(timeMajor(features).castTo(dataType()))
                        : embed(tokens, batch, scratch);
        StepRows rows =
                StepRows.of(window.getFeaturesMaskArray(), Math.toIntExact(batch), (int) steps);
        timings.input += System.nanoTime() - started;

        started = System.nanoTime();
        List<LayerState> states = new ArrayList<>(start.layers());
        INDArray leadInTop = null;
        if (leadIn > 0) {
            INDArray sequence = inputs.get(interval(0, leadIn), all(), all());
            StepRows leadInRows = rows.steps(0, (int) leadIn);
            for (int l = 0; l < layers.size(); l++) {
                RecurrentLayerOps.Forward forward =
                        layers.get(l)
                                .forward(
                                        scratch.add(sequence.dup('c')),
                                        states.get(l),
                                        leadInRows,
                                        scratch);
                // The state the lead-in ends in lives only as long as the window.
                scratch.add(forward.end().h());
                if (forward.end().c() != null) {
                    scratch.add(forward.end().c());
                }
                states.set(l, forward.end());
                sequence = forward.output();
            }
            leadInTop = sequence;
        }
        List<RecurrentLayerOps.Forward> forwards = new ArrayList<>();
        INDArray sequence =
                leadIn > 0
                        ? scratch.add(inputs.get(interval(leadIn, steps), all(), all()).dup('c'))
                        : inputs;
        StepRows backpropagatedRows = leadIn > 0 ? rows.steps((int) leadIn, (int) steps) : rows;
        for (int l = 0; l < layers.size(); l++) {
            RecurrentLayerOps.Forward forward =
                    layers.get(l).forward(sequence, states.get(l), backpropagatedRows, scratch);
            forwards.add(forward);
            states.set(l, forward.end());
            sequence = forward.output();
        }
        INDArray top =
                leadInTop == null ? sequence : scratch.add(Nd4j.concat(0, leadInTop, sequence));
        timings.forward += System.nanoTime() - started;
        return new ForwardPass(tokens, forwards, top, new RecurrentState(states));
    }

    /**
     * The output layer over a window: the top layer's outputs as rows, the masked cross-entropy
     * summed, and its gradient with respect to the logits (null unless asked for).
     */
    private record OutputLoss(INDArray top2d, INDArray logitsGradient, double summedLoss) {}

    /** {@code weights}: the window's {@link #supervisedRows}, one weight per output row. */
    private OutputLoss outputLoss(
            DataSet window, INDArray top, double[] weights, boolean withGradient, Scratch scratch) {
        long rows = top.size(0) * top.size(1);
        INDArray top2d = top.reshape('c', rows, spec.hiddenSize());
        INDArray labels = scratch.add(timeMajor(window.getLabels()));
        INDArray gradient =
                withGradient
                        ? scratch.add(Nd4j.createUninitialized(dataType(), rows, spec.numClasses()))
                        : null;
        double loss =
                softmax.lossAndGradient(
                        logits(top2d, scratch), outputBiasValues(), labels, weights, gradient);
        return new OutputLoss(top2d, gradient, loss);
    }

    /**
     * The output layer's logits for each row of the top layer's outputs {@code rows}, before the
     * bias, which {@link SoftmaxCrossEntropy} adds on the heap ({@link #outputBiasValues()}).
     */
    private INDArray logits(INDArray rows, Scratch scratch) {
        return Blas.product(rows, false, outputWeights.value(), false, scratch);
    }

    /** The output bias now, read into a buffer of this fitter's. */
    private double[] outputBiasValues() {
        NativeMatrix.of(outputBias.value()).copyTo(outputBiasValues);
        return outputBiasValues;
    }

    /**
     * Scales the summed gradient in the views so that the gradient of the mean loss per supervised
     * step has at most the configured norm, over all parameters at once.
     */
    void clipGradientNorm(DataSet window) {
        if (gradientNormClip <= 0) {
            return;
        }
        double targets = supervisedRows(window).steps();
        double norm = flatGradients.norm2Number().doubleValue() / targets;
        if (norm > gradientNormClip) {
            flatGradients.muli(gradientNormClip / norm);
        }
    }

    /**
     * A window's label mask as one weight per output row, in the rows' time-major order ({@code t *
     * batch + b}), and the weights' sum: the supervised steps.
     */
    private record SupervisedRows(double[] weights, double steps) {}

    /**
     * The {@link SupervisedRows} of {@code window}, its label mask {@code [batch, steps]} read in
     * one bulk copy into a buffer of this fitter's.
     */
    private SupervisedRows supervisedRows(DataSet window) {
        INDArray labelMask = window.getLabelsMaskArray();
        int batch = Math.toIntExact(labelMask.size(0));
        int steps = Math.toIntExact(labelMask.size(1));
        float[] mask = HostRuns.floats(labelMask);
        rowWeights = HeapBuffers.atLeast(rowWeights, mask.length);
        double sum = 0;
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < steps; t++) {
                double weight = mask[b * steps + t];
                rowWeights[t * batch + b] = weight;
                sum += weight;
            }
        }
        return new SupervisedRows(rowWeights, sum);
    }

    private DataType dataType() {
        return outputWeights.value().dataType();
    }

    /**
     * {@code [batch, width, steps]} as a time-major c-order copy, {@code [steps, batch, width]}.
     */
    private static INDArray timeMajor(INDArray batchMajor) {
        return batchMajor.permute(2, 0, 1).dup('c');
    }

    /** The window's token ids, step by step, stream by stream: {@code [steps * batch]}. */
    private static INDArray timeMajorTokens(INDArray features) {
        return features.permute(2, 0, 1)
                .dup('c')
                .reshape(features.size(0) * features.size(2))
                .castTo(DataType.INT);
    }

    /** Each step's embedding row, {@code [steps, batch, embedding]}. */
    private INDArray embed(INDArray tokens, long batch, Scratch scratch) {
        INDArray rows = scratch.add(Nd4j.pullRows(embedding.value(), 1, tokens.toIntVector()));
        return rows.reshape('c', tokens.length() / batch, batch, spec.embeddingSize());
    }

    /**
     * The embedding's gradient: each step's input gradient added to its token's row (a token that
     * occurs several times gets the sum).
     */
    private INDArray embeddingGradient(INDArray tokens, INDArray inputGradient) {
        int width = spec.embeddingSize();
        double[] perStep = inputGradient.dup('c').data().asDouble();
        int[] ids = tokens.toIntVector();
        double[] rows = new double[spec.inputSize() * width];
        for (int step = 0; step < ids.length; step++) {
            int row = ids[step] * width;
            for (int j = 0; j < width; j++) {
                rows[row + j] += perStep[step * width + j];
            }
        }
        return Nd4j.create(rows, new long[] {spec.inputSize(), width}, 'c')
                .castTo(embedding.value().dataType());
    }
}
