package io.rnnstream.core.train;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Updater;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Steps a network's parameters by its own DL4J updater from the gradient in the network's gradient
 * view, as {@code network.fit} does after its backward pass: the gradient divided by the minibatch
 * size, each layer's element-wise clipping, then each of the updater's blocks (DL4J's own {@link
 * UpdaterBlock}: L2 and Adam on its slice of the gradient and of the updater state), the update
 * subtracted from the parameters, and the iteration counted.
 *
 * <p>That is the order of {@code BaseMultiLayerUpdater.update}, without its bookkeeping on every
 * update (the gradient split into a map per layer by parsing parameter keys, one clipping operation
 * per layer): at the update rates of small recurrent models the bookkeeping costs more than the
 * arithmetic, most of all before the JVM has compiled it. The arithmetic stays DL4J's.
 *
 * <p>It takes the configurations {@link NetworkFactory} builds and refuses, when it is built, what
 * it would not step as DL4J does: a parameter DL4J does not divide by the minibatch size, or a
 * gradient normalization other than element-wise clipping.
 */
final class NetworkUpdater {

    private final MultiLayerNetwork network;
    private final INDArray flatGradients;
    private final boolean divideByMinibatch;

    /** A gradient view clipped element-wise to {@code [-threshold, threshold]}. */
    private record Clip(INDArray gradient, double threshold) {}

    /** What each update clips: one view for the whole network where every layer shares a bound. */
    private final List<Clip> clips = new ArrayList<>();

    private INDArray shapedFor;
    private INDArray shapedGradient;
    private Updater updater;
    private List<UpdaterBlock> blocks;

    NetworkUpdater(MultiLayerNetwork network) {
        this.network = network;
        if (network.getFlattenedGradients() == null) {
            network.initGradientsView();
        }
        this.flatGradients = network.getFlattenedGradients();
        this.divideByMinibatch = network.conf().isMiniBatch();
        Double shared = null;
        boolean allShare = true;
        for (Layer layer : network.getLayers()) {
            if (layer.numParams() == 0) {
                continue;
            }
            for (String parameter : layer.paramTable(false).keySet()) {
                if (divideByMinibatch && !layer.updaterDivideByMinibatch(parameter)) {
                    throw new IllegalArgumentException(
                            "layer "
                                    + layer.getIndex()
                                    + " keeps parameter "
                                    + parameter
                                    + " out of the division by the minibatch size, which this"
                                    + " updater does not do");
                }
            }
            Double threshold = clipThreshold(layer);
            if (threshold == null || (shared != null && !shared.equals(threshold))) {
                allShare = false;
            }
            shared = threshold;
            if (threshold != null) {
                clips.add(new Clip(layer.getGradientsViewArray(), threshold));
            }
        }
        if (allShare && shared != null) {
            // Every layer clips at one threshold: one operation over the whole gradient.
            clips.clear();
            clips.add(new Clip(flatGradients, shared));
        }
    }

    /** The layer's element-wise clipping threshold; null if it does not normalize its gradient. */
    private static Double clipThreshold(Layer layer) {
        if (!(layer.conf().getLayer() instanceof BaseLayer config)) {
            return null;
        }
        GradientNormalization normalization = config.getGradientNormalization();
        if (normalization == null || normalization == GradientNormalization.None) {
            return null;
        }
        if (normalization != GradientNormalization.ClipElementWiseAbsoluteValue) {
            throw new IllegalArgumentException(
                    "layer "
                            + layer.getIndex()
                            + " normalizes its gradient by "
                            + normalization
                            + "; this updater clips element-wise only");
        }
        return config.getGradientNormalizationThreshold();
    }

    /** One update from the gradient now in the network's gradient view, of a batch of that size. */
    void step(int batchSize) {
        if (divideByMinibatch) {
            flatGradients.divi(batchSize);
        }
        for (Clip clip : clips) {
            Nd4j.getExecutioner()
                    .exec(
                            DynamicCustomOp.builder("clipbyvalue")
                                    .addInputs(clip.gradient())
                                    .callInplace(true)
                                    .addFloatingPointArguments(-clip.threshold(), clip.threshold())
                                    .build());
        }
        int iteration = network.getIterationCount();
        int epoch = network.getEpochCount();
        for (UpdaterBlock block : blocks()) {
            block.update(iteration, epoch);
        }
        INDArray params = network.params();
        params.subi(gradientShapedAs(params));
        network.setIterationCount(iteration + 1);
    }

    /**
     * The flat gradient in the shape of {@code params}: one view, made again only if they change.
     */
    private INDArray gradientShapedAs(INDArray params) {
        if (params != shapedFor) {
            shapedGradient = flatGradients.reshape(params.shape());
            shapedFor = params;
        }
        return shapedGradient;
    }

    /** The updater's blocks that train in supervised back-propagation, as DL4J runs them. */
    private List<UpdaterBlock> blocks() {
        Updater current = network.getUpdater(true);
        if (current != updater) {
            if (!(current instanceof BaseMultiLayerUpdater<?> multiLayer)) {
                throw new IllegalStateException(
                        "expected DL4J's multi-layer updater, got " + current.getClass());
            }
            List<UpdaterBlock> supervised = new ArrayList<>();
            for (UpdaterBlock block : multiLayer.getUpdaterBlocks()) {
                if (!block.skipDueToPretrainConfig(false)) {
                    supervised.add(block);
                }
            }
            updater = current;
            blocks = supervised;
        }
        return blocks;
    }
}
