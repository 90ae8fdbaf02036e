package io.rnnstream.core.train;

import io.rnnstream.core.model.CellType;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.core.model.Supervision;
import io.rnnstream.core.model.TrainingOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.recurrent.config.LSTMActivations;
import org.nd4j.linalg.api.ops.impl.layers.recurrent.config.LSTMDataFormat;
import org.nd4j.linalg.api.ops.impl.layers.recurrent.config.LSTMDirectionMode;
import org.nd4j.linalg.api.ops.impl.layers.recurrent.config.LSTMLayerConfig;
import org.nd4j.linalg.api.ops.impl.layers.recurrent.weights.LSTMLayerWeights;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Computes the gradients of an LSTM classifier's training step with DL4J's fused {@code lstmLayer}
 * op (ND4J's SameDiff), which runs a whole sequence forward and backward in one native call,
 * instead of {@link MultiLayerNetwork#fit}, which makes several native calls per time step and
 * spends most of its time in them at the sizes rnnstream trains.
 *
 * <p>Only the forward and backward pass move. The gradients are written into the network's own
 * gradient views and handed to the network's own updater, so gradient clipping, L2 and Adam, and
 * the updater state saved in the artifact, stay DL4J's. The network always holds the current
 * parameters, so scoring, early stopping and {@link ServingExport} read it as before. {@code
 * FusedLstmFitterTest} holds the updates to {@code network.fit} on the same batches.
 *
 * <p>Two choices work around DL4J 1.0.0-M2.1:
 *
 * <ul>
 *   <li>The op's per-sequence length input gives wrong gradients when lengths differ within a batch
 *       (its outputs are right). So the op runs over the whole padded batch, as DL4J's layer does,
 *       and the loss reads each sequence's last valid step through a one-hot mask: padded steps
 *       come after that step and cannot change it, so the gradient is exact.
 *   <li>The op orders the gate blocks [input gate, forget, candidate, output]; DL4J's {@code LSTM}
 *       layer stores [candidate, forget, output, input gate]. Parameters and gradients are
 *       reordered as they are copied between the network and the graph, which costs less than
 *       reordering inside the graph, where every slice is an op in the forward and backward pass.
 * </ul>
 *
 * <p>Supported: LSTM layers on feature vectors or on a token embedding, the loss on the last step,
 * full BPTT; {@link #supports} says whether a configuration qualifies, and the trainer uses {@code
 * network.fit} for the rest. The embedding is looked up and its gradient summed outside the graph:
 * with a gather inside it, DL4J 1.0.0-M2.1 fails ("assign ... did not match expected shape") as
 * soon as the batch size changes between updates.
 */
final class FusedLstmFitter {

    /**
     * DL4J's block index for each block of the op's order (input gate, forget, candidate, output).
     */
    private static final int[] DL4J_BLOCK = {3, 1, 0, 2};

    private static final String FEATURES = "features";
    private static final String LAST_STEP = "lastStep";
    private static final String LABELS = "labels";
    private static final String LOSS = "loss";

    private final MultiLayerNetwork network;
    private final ModelSpec spec;
    private final SameDiff graph;

    /** Graph variable name to the network parameter it mirrors, in the network's order. */
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();

    /** The token embedding, looked up and scattered outside the graph; null for features. */
    private final Parameter embedding;

    private final INDArray flatGradients;
    private final List<String> gradientNames;

    /**
     * A network parameter, its gradient view, and the graph variable that mirrors it.
     *
     * @param gateBlocks the hidden size if the parameter holds an LSTM's four gate blocks in its
     *     columns (which the graph keeps in the op's order), else 0
     */
    private record Parameter(String key, INDArray value, INDArray gradient, int gateBlocks) {

        /** Copies the network's value into the graph's array, reordering gate blocks. */
        void copyTo(INDArray graphValue) {
            copyBlocks(value, graphValue.reshape(value.shape()), gateBlocks, true);
        }

        /** Copies the graph's gradient, times {@code scale}, into the network's gradient view. */
        void copyGradientFrom(INDArray graphGradient, long scale) {
            copyBlocks(graphGradient.reshape(gradient.shape()), gradient, gateBlocks, false);
            gradient.muli(scale);
        }

        private static void copyBlocks(
                INDArray from, INDArray to, int hidden, boolean fromDl4jOrder) {
            if (hidden == 0) {
                to.assign(from);
                return;
            }
            for (int block = 0; block < 4; block++) {
                INDArrayIndex opColumns =
                        NDArrayIndex.interval(block * hidden, (block + 1) * hidden);
                int dl4j = DL4J_BLOCK[block] * hidden;
                INDArrayIndex dl4jColumns = NDArrayIndex.interval(dl4j, dl4j + hidden);
                INDArrayIndex rows = NDArrayIndex.all();
                to.get(rows, fromDl4jOrder ? opColumns : dl4jColumns)
                        .assign(from.get(rows, fromDl4jOrder ? dl4jColumns : opColumns));
            }
        }
    }

    /** Whether the fused path computes what {@code network.fit} would for this configuration. */
    static boolean supports(ModelSpec spec, TrainingOptions options) {
        return spec.cell() == CellType.LSTM
                && options.supervision() == Supervision.LAST_STEP
                && options.tbpttLength() == 0;
    }

    /** A fitter that trains {@code network}, a network that {@link NetworkFactory} built. */
    FusedLstmFitter(MultiLayerNetwork network, ModelSpec spec) {
        this.network = network;
        this.spec = spec;
        if (network.getFlattenedGradients() == null) {
            network.initGradientsView();
        }
        this.flatGradients = network.getFlattenedGradients();
        this.graph = SameDiff.create();
        this.embedding =
                spec.inputKind() == InputKind.TOKENS
                        ? parameter(network.getLayer(0), "W", 0)
                        : null;
        build();
        this.gradientNames = new ArrayList<>(parameters.keySet());
        if (embedding != null) {
            gradientNames.add(FEATURES);
        }
    }

    /**
     * One training update on {@code batch} (as {@link BatchBuilder} packs it), like {@code
     * network.fit(batch)}; returns the score {@code network.score()} would then report: the mean
     * loss plus the L2 penalty.
     */
    double fit(DataSet batch) {
        for (Map.Entry<String, Parameter> entry : parameters.entrySet()) {
            entry.getValue().copyTo(graph.getVariable(entry.getKey()).getArr());
        }
        INDArray tokens = embedding == null ? null : tokenIds(batch);
        Map<String, INDArray> inputs = inputs(batch, tokens);
        OutAndGrad result =
                graph.calculateGradientsAndOutputs(inputs, List.of(LOSS), gradientNames);
        Map<String, INDArray> gradients = result.getGradients();
        long batchSize = batch.getFeatures().size(0);
        Gradient gradient = new DefaultGradient(flatGradients);
        if (embedding != null) {
            embedding.copyGradientFrom(
                    embeddingGradient(tokens, gradients.get(FEATURES)), batchSize);
            gradient.setGradientFor(embedding.key(), embedding.gradient());
        }
        for (Map.Entry<String, Parameter> entry : parameters.entrySet()) {
            Parameter parameter = entry.getValue();
            // The graph's loss is a mean; DL4J's layers produce sums and its updater divides.
            parameter.copyGradientFrom(gradients.get(entry.getKey()), batchSize);
            gradient.setGradientFor(parameter.key(), parameter.gradient());
        }
        // DL4J scores with the penalty of the parameters the gradient was taken at.
        double score =
                result.getOutputs().get(LOSS).getDouble(0) + network.calcRegularizationScore(true);
        int iteration = network.getIterationCount();
        network.getUpdater(true)
                .update(
                        network,
                        gradient,
                        iteration,
                        network.getEpochCount(),
                        (int) batchSize,
                        LayerWorkspaceMgr.noWorkspaces());
        INDArray params = network.params();
        params.subi(flatGradients.reshape(params.shape()));
        network.setIterationCount(iteration + 1);
        network.setScore(score);
        return score;
    }

    /** The batch's token ids, sequence by sequence, step by step: {@code [batch * steps]}. */
    private static INDArray tokenIds(DataSet batch) {
        INDArray ids = batch.getFeatures();
        return ids.reshape(ids.size(0) * ids.size(2)).castTo(DataType.INT);
    }

    /** Each step's embedding row, {@code [batch, embedding, steps]} as the LSTM op reads them. */
    private INDArray embed(INDArray tokens, long size, long steps) {
        INDArray rows = Nd4j.pullRows(embedding.value(), 1, tokens.toIntVector());
        return rows.reshape(size, steps, spec.embeddingSize()).permute(0, 2, 1).dup('c');
    }

    /**
     * The embedding's gradient: each step's input gradient added to its token's row (a token that
     * occurs several times in the batch gets the sum). Padded steps come after each sequence's last
     * step, so their input gradient is zero.
     */
    private INDArray embeddingGradient(INDArray tokens, INDArray inputGradient) {
        int width = spec.embeddingSize();
        float[] perStep = inputGradient.permute(0, 2, 1).dup('c').data().asFloat();
        int[] ids = tokens.toIntVector();
        float[] rows = new float[spec.inputSize() * width];
        for (int step = 0; step < ids.length; step++) {
            int row = ids[step] * width;
            for (int j = 0; j < width; j++) {
                rows[row + j] += perStep[step * width + j];
            }
        }
        return Nd4j.create(rows, new long[] {spec.inputSize(), width}, 'c');
    }

    private Map<String, INDArray> inputs(DataSet batch, INDArray tokens) {
        INDArray features = batch.getFeatures();
        INDArray labelMask = batch.getLabelsMaskArray();
        long size = features.size(0);
        long steps = features.size(2);
        INDArray lastStep = labelMask.reshape(size, 1, steps);
        // Labels are one-hot at the last step only (LAST_STEP supervision).
        INDArray labels = batch.getLabels().mul(lastStep).sum(2);
        Map<String, INDArray> inputs = new HashMap<>();
        inputs.put(FEATURES, tokens == null ? features : embed(tokens, size, steps));
        inputs.put(LAST_STEP, lastStep);
        inputs.put(LABELS, labels);
        return inputs;
    }

    private void build() {
        int index = embedding == null ? 0 : 1;
        SDVariable sequence =
                graph.placeHolder(FEATURES, DataType.FLOAT, -1, spec.firstLayerInputSize(), -1);
        SDVariable lastStep = graph.placeHolder(LAST_STEP, DataType.FLOAT, -1, 1, -1);
        SDVariable labels = graph.placeHolder(LABELS, DataType.FLOAT, -1, spec.numClasses());
        LSTMLayerConfig config =
                LSTMLayerConfig.builder()
                        .lstmdataformat(LSTMDataFormat.NST)
                        .directionMode(LSTMDirectionMode.FWD)
                        .gateAct(LSTMActivations.SIGMOID)
                        .cellAct(LSTMActivations.TANH)
                        .outAct(LSTMActivations.TANH)
                        .retFullSequence(true)
                        .retLastH(false)
                        .retLastC(false)
                        .build();
        for (int l = 0; l < spec.layers(); l++) {
            int layer = index++;
            int hidden = spec.hiddenSize();
            LSTMLayerWeights weights =
                    LSTMLayerWeights.builder()
                            .weights(mirror("lstm" + l + "_W", layer, "W", hidden))
                            .rWeights(mirror("lstm" + l + "_RW", layer, "RW", hidden))
                            .bias(
                                    mirror("lstm" + l + "_b", layer, "b", hidden)
                                            .reshape(4L * hidden))
                            .build();
            sequence = graph.rnn().lstmLayer(sequence, null, null, null, weights, config)[0];
        }
        SDVariable last = sequence.mul(lastStep).sum(2);
        SDVariable logits =
                last.mmul(mirror("output_W", index, "W", 0)).add(mirror("output_b", index, "b", 0));
        graph.loss().softmaxCrossEntropy(LOSS, labels, logits, null);
        graph.setLossVariables(LOSS);
    }

    /**
     * A graph variable for the network parameter {@code layer_param}, filled before each update.
     */
    private SDVariable mirror(String name, int layer, String param, int gateBlocks) {
        Parameter parameter = parameter(network.getLayer(layer), param, gateBlocks);
        parameters.put(name, parameter);
        INDArray graphValue = parameter.value().dup('c');
        parameter.copyTo(graphValue);
        return graph.var(name, graphValue);
    }

    /** The network parameter {@code param} of {@code layer}, with its gradient view. */
    private static Parameter parameter(Layer layer, String param, int gateBlocks) {
        Map<String, INDArray> gradientViews =
                layer.conf()
                        .getLayer()
                        .initializer()
                        .getGradientsFromFlattened(layer.conf(), layer.getGradientsViewArray());
        return new Parameter(
                layer.getIndex() + "_" + param,
                layer.getParam(param),
                gradientViews.get(param),
                gateBlocks);
    }
}
