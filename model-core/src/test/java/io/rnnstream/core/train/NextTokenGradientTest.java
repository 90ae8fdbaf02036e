package io.rnnstream.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.core.model.CellType;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.core.model.TrainingOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The next-token objective's gradients on one text cut into parallel streams, window after window
 * with the state carried, against the plain double-precision step-by-step reference ({@link
 * ReferenceRnn}): the target changes at every step, unlike a classifier's label.
 */
class NextTokenGradientTest {

    private static final int SYMBOLS = 6;
    private static final int HIDDEN = 4;
    private static final int STREAMS = 3;
    private static final int WINDOW = 7;
    private static final int BACKWARD = 4;

    static Stream<Arguments> configurations() {
        List<Arguments> all = new ArrayList<>();
        for (CellType cell : CellType.values()) {
            for (int layers : new int[] {1, 2}) {
                for (InputKind input : InputKind.values()) {
                    all.add(Arguments.of(cell, layers, input));
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}, {1} layer(s), {2}")
    @MethodSource("configurations")
    void everyWindowOfTheStreamsMatchesTheStepByStepReference(
            CellType cell, int layers, InputKind input) {
        MultiLayerNetwork network = network(cell, layers, input, 31);
        TruncatedBpttFitter fitter =
                new TruncatedBpttFitter(network, spec(cell, layers, input), WINDOW, BACKWARD);
        ReferenceRnn reference = new ReferenceRnn(network, cell, layers, input == InputKind.TOKENS);
        ParallelStreams streams = streams(input, 3 * 20 + 1);

        RecurrentState state = fitter.zeroState(STREAMS);
        double[][][] h = new double[layers][STREAMS][HIDDEN];
        double[][][] c = cell == CellType.LSTM ? new double[layers][STREAMS][HIDDEN] : null;
        int windows = 0;
        while (streams.hasNext()) {
            ParallelStreams.Window window = streams.next();
            int steps = (int) window.data().getFeatures().size(2);
            ReferenceRnn.WindowResult expected =
                    reference.window(
                            TruncatedBpttGradientTest.dense(window.data()),
                            TruncatedBpttGradientTest.tokens(window.data(), input),
                            TruncatedBpttGradientTest.labels(window.data()),
                            h,
                            c,
                            Math.max(0, steps - BACKWARD));
            try (Scratch scratch = new Scratch()) {
                TruncatedBpttFitter.WindowResult ours =
                        fitter.gradient(window.data(), state, scratch);
                assertThat(ours.updated()).isTrue();
                assertThat(ours.score() * STREAMS)
                        .as("window %d's summed loss", windows)
                        .isCloseTo(expected.loss(), org.assertj.core.data.Offset.offset(1e-9));
                TruncatedBpttGradientTest.compare(fitter.gradientViews(), expected.gradients());
                state = ours.end();
            }
            h = expected.endH();
            c = expected.endC();
            windows++;
        }
        // 20 steps per stream, 19 targets: windows of 7, 7 and 5.
        assertThat(windows).isEqualTo(3);
    }

    @Test
    void theGradientNormClipBoundsTheNormOfTheMeanLossGradient() {
        MultiLayerNetwork network = network(CellType.LSTM, 1, InputKind.FEATURES, 5);
        ParallelStreams.Window window = streams(InputKind.FEATURES, 3 * 8 + 1).next();
        double targets = window.data().getLabelsMaskArray().sumNumber().doubleValue();

        double unclipped = meanLossGradientNorm(network, window, 0);
        assertThat(meanLossGradientNorm(network, window, unclipped / 4))
                .isCloseTo(unclipped / 4, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(meanLossGradientNorm(network, window, unclipped * 4))
                .as("a gradient inside the bound is left as it is")
                .isCloseTo(unclipped, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(targets).isEqualTo(STREAMS * 7.0);
    }

    private static double meanLossGradientNorm(
            MultiLayerNetwork network, ParallelStreams.Window window, double clip) {
        TruncatedBpttFitter fitter =
                new TruncatedBpttFitter(
                        network, spec(CellType.LSTM, 1, InputKind.FEATURES), WINDOW, 0, clip);
        try (Scratch scratch = new Scratch()) {
            fitter.gradient(window.data(), fitter.zeroState(STREAMS), scratch);
            fitter.clipGradientNorm(window.data());
        }
        double sumOfSquares = 0;
        for (INDArray gradient : fitter.gradientViews().values()) {
            for (double g : TruncatedBpttGradientTest.flat(gradient)) {
                sumOfSquares += g * g;
            }
        }
        return Math.sqrt(sumOfSquares)
                / window.data().getLabelsMaskArray().sumNumber().doubleValue();
    }

    private static ParallelStreams streams(InputKind input, int length) {
        Random random = new Random(17);
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) {
            ids[i] = random.nextInt(SYMBOLS);
        }
        return new ParallelStreams(
                ParallelStreams.split(ids, STREAMS),
                WINDOW,
                0,
                input == InputKind.FEATURES ? SYMBOLS : 0,
                SYMBOLS);
    }

    private static ModelSpec spec(CellType cell, int layers, InputKind input) {
        List<String> symbols = new ArrayList<>();
        for (int i = 0; i < SYMBOLS; i++) {
            symbols.add(Character.toString('a' + i));
        }
        return new ModelSpec(
                cell, layers, HIDDEN, input, SYMBOLS, input == InputKind.TOKENS ? 5 : 0, symbols);
    }

    private static MultiLayerNetwork network(
            CellType cell, int layers, InputKind input, long seed) {
        TrainingOptions options =
                TrainingOptions.builder()
                        .cell(cell)
                        .layers(layers)
                        .hiddenSize(HIDDEN)
                        .embeddingSize(5)
                        // The score then is the loss alone, comparable with the reference's.
                        .l2(0)
                        .seed(seed)
                        .build();
        MultiLayerNetwork network =
                NetworkFactory.create(spec(cell, layers, input), options, DataType.DOUBLE);
        // Non-zero biases everywhere, so that no gradient is zero by construction.
        Nd4j.getRandom().setSeed(seed);
        INDArray params = network.params();
        params.addi(Nd4j.rand(DataType.DOUBLE, params.shape()).subi(0.5).muli(0.4));
        return network;
    }
}
