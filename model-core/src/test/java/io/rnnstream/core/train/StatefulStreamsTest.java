package io.rnnstream.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.core.model.CellType;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.core.model.Supervision;
import io.rnnstream.core.model.TrainingOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Stateful truncated BPTT over parallel streams: each update starts every stream from the state the
 * previous update ended it in, except a stream that starts a new sequence, which starts from zero.
 */
class StatefulStreamsTest {

    private static final int INPUTS = 3;
    private static final int WINDOW = 5;
    private static final List<String> LABELS = List.of("a", "b");

    @ParameterizedTest
    @EnumSource(CellType.class)
    void eachUpdateStartsWhereThePreviousEndedAndOnlyEndedSequencesReset(CellType cell) {
        Random random = new Random(3);
        // Stream 0: one sequence of 23 steps (5 windows); stream 1: sequences of 7 and 9 steps
        // (the first ends inside window 1, the second starts with window 2); stream 2: 12 steps,
        // then nothing.
        List<List<StreamSequence>> streams =
                List.of(
                        List.of(sequence(23, random)),
                        List.of(sequence(7, random), sequence(9, random)),
                        List.of(sequence(12, random)));
        ParallelStreams input = new ParallelStreams(streams, WINDOW, INPUTS, 0, LABELS.size());
        ModelSpec spec = new ModelSpec(cell, 2, 6, InputKind.FEATURES, INPUTS, 0, LABELS);
        MultiLayerNetwork network =
                NetworkFactory.create(
                        spec, TrainingOptions.builder().cell(cell).layers(2).hiddenSize(6).build());
        TruncatedBpttFitter fitter = new TruncatedBpttFitter(network, spec, WINDOW, 0);

        List<boolean[]> resets = new ArrayList<>();
        List<RecurrentState> starts = new ArrayList<>();
        List<RecurrentState> ends = new ArrayList<>();
        fitter.fit(
                input,
                0,
                (window, start, result) -> {
                    resets.add(window.reset());
                    starts.add(copy(start));
                    ends.add(copy(result.end()));
                });

        assertThat(resets).hasSize(5);
        assertThat(resets.get(0)).containsExactly(true, true, true);
        assertThat(resets.get(1)).containsExactly(false, false, false);
        assertThat(resets.get(2)).containsExactly(false, true, false);
        assertThat(resets.get(3)).containsExactly(false, false, false);
        assertThat(network.getIterationCount()).as("one update per window").isEqualTo(5);
        for (int n = 1; n < resets.size(); n++) {
            for (int b = 0; b < 3; b++) {
                for (int layer = 0; layer < 2; layer++) {
                    LayerState start = starts.get(n).layers().get(layer);
                    LayerState previousEnd = ends.get(n - 1).layers().get(layer);
                    if (resets.get(n)[b]) {
                        assertThat(start.h().getRow(b).amaxNumber().doubleValue()).isZero();
                    } else {
                        assertThat(start.h().getRow(b)).isEqualTo(previousEnd.h().getRow(b));
                        if (cell == CellType.LSTM) {
                            assertThat(start.c().getRow(b)).isEqualTo(previousEnd.c().getRow(b));
                        }
                    }
                    assertThat(previousEnd.h().getRow(b).amaxNumber().doubleValue())
                            .as("window %d ends stream %d in a non-zero state", n - 1, b)
                            .isGreaterThan(1e-4);
                }
            }
        }
    }

    @Test
    void oneLongTextIsCutIntoEqualStreamsOfNextTokenTargets() {
        int[] text = new int[43];
        for (int i = 0; i < text.length; i++) {
            text[i] = i % 7;
        }

        List<List<StreamSequence>> streams = ParallelStreams.split(text, 4);

        assertThat(streams).hasSize(4);
        StreamSequence second = streams.get(1).get(0);
        assertThat(second.length()).isEqualTo(9);
        assertThat(second.tokenIds()[0]).isEqualTo(text[10]);
        assertThat(second.targets()[0]).isEqualTo(text[11]);
        ParallelStreams.Window first = new ParallelStreams(streams, 4, 0, 7, 7).next();
        INDArray features = first.data().getFeatures();
        assertThat(features.shape()).containsExactly(4, 7, 4);
        assertThat(features.getFloat(1, text[10], 0)).isEqualTo(1f);
        assertThat(features.sumNumber().intValue()).as("one-hot").isEqualTo(16);
        assertThat(first.data().getLabels().getFloat(1, text[11], 0)).isEqualTo(1f);
    }

    private static StreamSequence sequence(int length, Random random) {
        float[][] features = new float[length][INPUTS];
        for (float[] step : features) {
            for (int i = 0; i < INPUTS; i++) {
                step[i] = (float) random.nextGaussian();
            }
        }
        return StreamSequence.classification(
                new EncodedSequence(features, null, random.nextInt(LABELS.size())),
                Supervision.EVERY_STEP);
    }

    private static RecurrentState copy(RecurrentState state) {
        List<LayerState> layers = new ArrayList<>();
        for (LayerState layer : state.layers()) {
            layers.add(new LayerState(layer.h().dup(), layer.c() == null ? null : layer.c().dup()));
        }
        return new RecurrentState(layers);
    }
}
