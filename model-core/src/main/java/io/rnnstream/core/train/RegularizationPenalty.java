package io.rnnstream.core.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.schedule.FixedSchedule;

/**
 * The penalty DL4J adds to a network's score, {@code network.calcRegularizationScore(true)}: for
 * each parameter with L2 regularization, {@code l2 / 2} times its squared L2 norm. Where every
 * regularization is L2 with a fixed coefficient (what {@link NetworkFactory} configures), it is one
 * BLAS sum of squares per parameter, straight on the flattened parameters; DL4J walks the parameter
 * tables and runs an ND4J reduction per parameter, on every update. Any other regularization is
 * left to DL4J.
 */
final class RegularizationPenalty {

    /** Largest relative difference from DL4J's penalty the bulk computation may show at start. */
    private static final double AGREEMENT = 1e-5;

    /** A parameter's place in the flattened parameters and its L2 coefficient. */
    private record Term(int from, int length, double coefficient) {}

    private final MultiLayerNetwork network;
    private final List<Term> terms;

    private RegularizationPenalty(MultiLayerNetwork network, List<Term> terms) {
        this.network = network;
        this.terms = terms;
    }

    /**
     * The penalty of {@code network}'s parameters: in bulk if its regularization allows and its
     * parameters lie where their views say in the flattened parameters, by DL4J otherwise.
     */
    static RegularizationPenalty of(MultiLayerNetwork network) {
        List<Term> terms = bulkTerms(network);
        RegularizationPenalty bulk = new RegularizationPenalty(network, terms);
        if (terms != null) {
            // The places come from ND4J's view offsets: checked once against DL4J itself.
            double expected = network.calcRegularizationScore(true);
            if (Math.abs(bulk.value() - expected) > AGREEMENT * Math.abs(expected)) {
                return new RegularizationPenalty(network, null);
            }
        }
        return bulk;
    }

    /** Whether the penalty is computed in bulk rather than by DL4J. */
    boolean bulk() {
        return terms != null;
    }

    /** The penalty of the network's parameters now. */
    double value() {
        if (terms == null) {
            return network.calcRegularizationScore(true);
        }
        if (terms.isEmpty()) {
            return 0;
        }
        NativeMatrix flat = NativeMatrix.of(network.params());
        double penalty = 0;
        for (Term term : terms) {
            double squares = Blas.sumOfSquares(flat.columns(term.from(), term.length()));
            penalty += 0.5 * term.coefficient() * squares;
        }
        return penalty;
    }

    /**
     * The network's L2 terms as places in its flattened parameters, or null if a regularization is
     * other than L2 with a fixed coefficient or the parameters are not one whole array.
     */
    private static List<Term> bulkTerms(MultiLayerNetwork network) {
        INDArray flat = network.params();
        if (!HostRuns.covers(flat)) {
            return null;
        }
        long base = flat.data().address();
        long elementSize = flat.data().getElementSize();
        List<Term> terms = new ArrayList<>();
        for (Layer layer : network.getLayers()) {
            if (!(layer.conf().getLayer() instanceof BaseLayer config)) {
                continue;
            }
            for (Map.Entry<String, INDArray> parameter : layer.paramTable().entrySet()) {
                List<Regularization> regularizations =
                        config.getRegularizationByParam(parameter.getKey());
                if (regularizations == null || regularizations.isEmpty()) {
                    continue;
                }
                INDArray view = parameter.getValue();
                long from =
                        (view.data().address() - base) / elementSize
                                + view.offset()
                                - flat.offset();
                if (from < 0 || from + view.length() > flat.length()) {
                    return null;
                }
                for (Regularization regularization : regularizations) {
                    if (!(regularization instanceof L2Regularization l2)
                            || !(l2.getL2() instanceof FixedSchedule coefficient)) {
                        return null;
                    }
                    terms.add(
                            new Term(
                                    (int) from,
                                    Math.toIntExact(view.length()),
                                    coefficient.getValue()));
                }
            }
        }
        return terms;
    }
}
