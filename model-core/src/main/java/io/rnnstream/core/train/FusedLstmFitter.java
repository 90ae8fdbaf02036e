package io.rnnstream.core.train;

import io.rnnstream.core.model.CellType;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.core.model.Supervision;
import io.rnnstream.core.model.TrainingOptions;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Computes the gradients of an LSTM classifier's training step with libnd4j's fused {@code
 * lstmLayer} and {@code lstmLayer_bp} ops, which run a whole batch of sequences forward and
 * backward in one native call each, instead of {@link MultiLayerNetwork#fit}, which makes several
 * native calls per time step and spends most of its time in them at the sizes rnnstream trains. The
 * ops ship in ND4J's native library, the one DL4J already runs on; they are called directly,
 * without ND4J's SameDiff graph, whose Java session cost as much as the ops themselves.
 *
 * <p>Only the forward and backward pass move. The gradients are written into the network's own
 * gradient views and handed to the network's own updater, so gradient clipping, L2 and Adam, and
 * the updater state saved in the artifact, stay DL4J's. The network always holds the current
 * parameters, so scoring, early stopping and {@link ServingExport} read it as before. {@code
 * FusedLstmFitterTest} holds the updates to {@code network.fit} on the same batches.
 *
 * <p>How it maps onto DL4J's network:
 *
 * <ul>
 *   <li>The ops order the gate blocks [input gate, forget, candidate, output]; DL4J's {@code LSTM}
 *       layer stores [candidate, forget, output, input gate]. Weights and their gradients are
 *       reordered as they are copied between the network and the ops.
 *   <li>The ops run over the whole padded batch, as DL4J's layer does, and the loss reads each
 *       sequence's last valid step. Padded steps come after that step and cannot change it, so the
 *       gradient is exact. (The op's own sequence-length input gives wrong gradients when lengths
 *       differ within a batch in 1.0.0-M2.1; it is not used.)
 *   <li>The output layer (softmax and cross-entropy on the last step) and the token embedding are a
 *       few array operations here. Like DL4J's layers, every gradient is a sum over the batch; the
 *       updater divides by the batch size.
 * </ul>
 *
 * <p>Supported: LSTM layers on feature vectors or on a token embedding, the loss on the last step,
 * full BPTT; {@link #supports} says whether a configuration qualifies, and the trainer uses {@code
 * network.fit} for the rest.
 */
final class FusedLstmFitter {

    /**
     * The ops' integer arguments: data format 2 ([batch, features, steps], DL4J's layout),
     * direction 0 (forward), gate activation 2 (sigmoid), cell and output activation 0 (tanh).
     */
    private static final int[] OP_INTEGER_ARGUMENTS = {2, 0, 2, 0, 0};

    /** Cell clipping: 0, none. */
    private static final Double OP_CELL_CLIP = 0.0;

    /**
     * The ops' flags: biases given; no sequence lengths, initial state or peepholes; the whole
     * output sequence returned (and its gradient given), not the last step's output or cell state.
     */
    private static final boolean[] OP_FLAGS = {
        true, false, false, false, false, true, false, false
    };

    private final MultiLayerNetwork network;
    private final ModelSpec spec;
    private final INDArray flatGradients;

    /** The token embedding; null for feature input. */
    private final Parameter embedding;

    private final List<LstmWeights> layers = new ArrayList<>();
    private final Parameter outputWeights;
    private final Parameter outputBias;

    /**
     * A network parameter and its gradient view.
     *
     * @param gateBlocks the hidden size if the parameter holds an LSTM's four gate blocks in its
     *     columns (which the ops want in their own order), else 0
     */
    private record Parameter(String key, INDArray value, INDArray gradient, int gateBlocks) {

        /** The value as the ops take it: gate blocks reordered, a c-order copy. */
        INDArray opValue() {
            INDArray copy = Nd4j.createUninitialized(DataType.FLOAT, value.shape());
            copyBlocks(value, copy, true);
            return copy;
        }

        /** Writes the ops' gradient into the network's gradient view, gate blocks reordered. */
        void setGradient(INDArray opGradient) {
            copyBlocks(opGradient.reshape(gradient.shape()), gradient, false);
        }

        private void copyBlocks(INDArray from, INDArray to, boolean fromDl4jOrder) {
            int hidden = gateBlocks;
            if (hidden == 0) {
                to.assign(from);
                return;
            }
            for (int block = 0; block < 4; block++) {
                INDArrayIndex opColumns =
                        NDArrayIndex.interval(block * hidden, (block + 1) * hidden);
                int dl4j = ServingExport.LSTM_BLOCK_FROM_DL4J[block] * hidden;
                INDArrayIndex dl4jColumns = NDArrayIndex.interval(dl4j, dl4j + hidden);
                INDArrayIndex rows = NDArrayIndex.all();
                to.get(rows, fromDl4jOrder ? opColumns : dl4jColumns)
                        .assign(from.get(rows, fromDl4jOrder ? dl4jColumns : opColumns));
            }
        }
    }

    /** One LSTM layer's input weights, recurrent weights and bias. */
    private record LstmWeights(Parameter input, Parameter recurrent, Parameter bias) {}

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
        int index = 0;
        this.embedding =
                spec.inputKind() == InputKind.TOKENS
                        ? parameter(network.getLayer(index++), "W", 0)
                        : null;
        int hidden = spec.hiddenSize();
        for (int l = 0; l < spec.layers(); l++) {
            Layer layer = network.getLayer(index++);
            layers.add(
                    new LstmWeights(
                            parameter(layer, "W", hidden),
                            parameter(layer, "RW", hidden),
                            parameter(layer, "b", hidden)));
        }
        Layer output = network.getLayer(index);
        this.outputWeights = parameter(output, "W", 0);
        this.outputBias = parameter(output, "b", 0);
    }

    /**
     * One training update on {@code batch} (as {@link BatchBuilder} packs it), like {@code
     * network.fit(batch)}; returns the score {@code network.score()} would then report: the mean
     * loss plus the L2 penalty.
     */
    double fit(DataSet batch) {
        List<INDArray> scratch = new ArrayList<>();
        try {
            return fit(batch, scratch);
        } finally {
            // Frees the update's native memory now rather than when the garbage collector finds
            // the arrays: network.fit reuses workspaces, and without this the process would hold
            // up to JavaCPP's limit (the heap size again) of dead arrays.
            for (INDArray array : scratch) {
                if (array.closeable()) {
                    array.close();
                }
            }
        }
    }

    private double fit(DataSet batch, List<INDArray> scratch) {
        INDArray features = batch.getFeatures();
        long size = features.size(0);
        long steps = features.size(2);
        int[] lastSteps = batch.getLabelsMaskArray().argMax(1).toIntVector();
        // Labels are one-hot at the last step only (LAST_STEP supervision).
        INDArray labelsAtLastStep =
                scratch(
                        scratch,
                        batch.getLabels().mul(batch.getLabelsMaskArray().reshape(size, 1, steps)));
        INDArray labels = scratch(scratch, labelsAtLastStep.sum(2));
        INDArray tokens = embedding == null ? null : scratch(scratch, tokenIds(features));

        // Forward: each layer's input is kept for its backward pass.
        List<INDArray[]> weights = new ArrayList<>();
        List<INDArray> layerInputs = new ArrayList<>();
        INDArray sequence =
                tokens == null ? features : scratch(scratch, embed(tokens, size, steps));
        for (LstmWeights layer : layers) {
            INDArray[] opWeights = {
                scratch(scratch, layer.input().opValue()),
                scratch(scratch, layer.recurrent().opValue()),
                scratch(scratch, layer.bias().opValue()).reshape(4L * spec.hiddenSize())
            };
            weights.add(opWeights);
            layerInputs.add(sequence);
            sequence =
                    scratch(scratch, Nd4j.exec(lstmOp("lstmLayer", sequence, opWeights, null))[0]);
        }
        INDArray last =
                scratch(scratch, Nd4j.createUninitialized(DataType.FLOAT, size, spec.hiddenSize()));
        for (int n = 0; n < size; n++) {
            last.putRow(n, sequence.get(point(n), NDArrayIndex.all(), point(lastSteps[n])));
        }
        INDArray probabilities =
                Transforms.softmax(
                        scratch(scratch, last.mmul(outputWeights.value()))
                                .addiRowVector(outputBias.value()),
                        false);
        INDArray logLikelihoods =
                scratch(scratch, Transforms.log(probabilities, true)).muli(labels);
        double loss = -logLikelihoods.sumNumber().doubleValue() / size;

        // Backward: sums over the batch, as DL4J's layers produce them.
        INDArray logitsGradient = scratch(scratch, probabilities.sub(labels));
        outputWeights.setGradient(scratch(scratch, last.transpose().mmul(logitsGradient)));
        outputBias.setGradient(scratch(scratch, logitsGradient.sum(0)));
        INDArray lastGradient =
                scratch(scratch, logitsGradient.mmul(outputWeights.value().transpose()));
        INDArray sequenceGradient =
                scratch(scratch, Nd4j.zeros(DataType.FLOAT, size, spec.hiddenSize(), steps));
        for (int n = 0; n < size; n++) {
            sequenceGradient
                    .get(point(n), NDArrayIndex.all(), point(lastSteps[n]))
                    .assign(lastGradient.getRow(n));
        }
        for (int l = layers.size() - 1; l >= 0; l--) {
            INDArray[] gradients =
                    Nd4j.exec(
                            lstmOp(
                                    "lstmLayer_bp",
                                    layerInputs.get(l),
                                    weights.get(l),
                                    sequenceGradient));
            scratch.addAll(List.of(gradients));
            LstmWeights layer = layers.get(l);
            layer.input().setGradient(gradients[1]);
            layer.recurrent().setGradient(gradients[2]);
            layer.bias().setGradient(gradients[3]);
            sequenceGradient = gradients[0];
        }
        if (embedding != null) {
            embedding.setGradient(scratch(scratch, embeddingGradient(tokens, sequenceGradient)));
        }

        // DL4J scores with the penalty of the parameters the gradient was taken at.
        double score = loss + network.calcRegularizationScore(true);
        applyUpdate((int) size);
        network.setScore(score);
        return score;
    }

    /**
     * Hands the gradient views, now filled, to the network's updater (clipping, L2, Adam, division
     * by the batch size) and steps the parameters, as {@code network.fit} does after its backward
     * pass.
     */
    private void applyUpdate(int batchSize) {
        Gradient gradient = new DefaultGradient(flatGradients);
        if (embedding != null) {
            gradient.setGradientFor(embedding.key(), embedding.gradient());
        }
        for (LstmWeights layer : layers) {
            for (Parameter parameter : List.of(layer.input(), layer.recurrent(), layer.bias())) {
                gradient.setGradientFor(parameter.key(), parameter.gradient());
            }
        }
        gradient.setGradientFor(outputWeights.key(), outputWeights.gradient());
        gradient.setGradientFor(outputBias.key(), outputBias.gradient());
        int iteration = network.getIterationCount();
        network.getUpdater(true)
                .update(
                        network,
                        gradient,
                        iteration,
                        network.getEpochCount(),
                        batchSize,
                        LayerWorkspaceMgr.noWorkspaces());
        INDArray params = network.params();
        params.subi(flatGradients.reshape(params.shape()));
        network.setIterationCount(iteration + 1);
    }

    /** Notes {@code array} as one to free at the end of the update, and returns it. */
    private static INDArray scratch(List<INDArray> scratch, INDArray array) {
        scratch.add(array);
        return array;
    }

    /**
     * The forward op (outputs: the hidden state at every step) or, given the gradient with respect
     * to those outputs, the backward op (outputs: gradients with respect to the input, the input
     * weights, the recurrent weights and the bias).
     */
    private static DynamicCustomOp lstmOp(
            String name, INDArray input, INDArray[] weights, INDArray outputGradient) {
        INDArray[] inputs =
                outputGradient == null
                        ? new INDArray[] {input, weights[0], weights[1], weights[2]}
                        : new INDArray[] {
                            input, weights[0], weights[1], weights[2], outputGradient
                        };
        // One addInputs call: a second one replaces the first's inputs.
        DynamicCustomOp.DynamicCustomOpsBuilder op =
                DynamicCustomOp.builder(name)
                        .addInputs(inputs)
                        .addIntegerArguments(OP_INTEGER_ARGUMENTS)
                        .addFloatingPointArguments(OP_CELL_CLIP)
                        .addBooleanArguments(OP_FLAGS);
        return op.build();
    }

    private static INDArrayIndex point(long index) {
        return NDArrayIndex.point(index);
    }

    /** The batch's token ids, sequence by sequence, step by step: {@code [batch * steps]}. */
    private static INDArray tokenIds(INDArray features) {
        return features.reshape(features.size(0) * features.size(2)).castTo(DataType.INT);
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

    /** The network parameter {@code param} of {@code layer}, with its gradient view. */
    private static Parameter parameter(Layer layer, String param, int gateBlocks) {
        INDArray gradientView =
                layer.conf()
                        .getLayer()
                        .initializer()
                        .getGradientsFromFlattened(layer.conf(), layer.getGradientsViewArray())
                        .get(param);
        return new Parameter(
                layer.getIndex() + "_" + param, layer.getParam(param), gradientView, gateBlocks);
    }
}
