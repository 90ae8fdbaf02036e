package io.rnnstream.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.core.TestData;
import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.data.TsReader;
import io.rnnstream.core.model.TrainingOptions;
import io.rnnstream.core.serving.NetworkWeights;
import io.rnnstream.core.serving.RecurrentLayerWeights;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The same data, options and seed give bit-identical serving weights; another seed does not. */
class ReproducibilityTest {

    private static Dataset fourVowelsPerSpeaker;

    @BeforeAll
    static void readData() throws IOException {
        fourVowelsPerSpeaker =
                TestData.slice(
                        TsReader.read(TestData.path("japanesevowels/JapaneseVowels_TRAIN.ts")), 4);
    }

    @Test
    void sameSeedGivesBitIdenticalWeights() {
        List<float[]> first = servingArrays(train(7));
        List<float[]> second = servingArrays(train(7));

        assertThat(first).hasSameSizeAs(second);
        for (int i = 0; i < first.size(); i++) {
            assertThat(java.util.Arrays.equals(first.get(i), second.get(i)))
                    .as("array %d is bit-identical", i)
                    .isTrue();
        }
    }

    @Test
    void differentSeedGivesDifferentWeights() {
        List<float[]> seven = servingArrays(train(7));
        List<float[]> eight = servingArrays(train(8));

        for (int i = 0; i < seven.size(); i++) {
            assertThat(java.util.Arrays.equals(seven.get(i), eight.get(i)))
                    .as("array %d differs", i)
                    .isFalse();
        }
    }

    private static NetworkWeights train(long seed) {
        TrainingOptions options =
                TrainingOptions.builder()
                        .hiddenSize(8)
                        .maxEpochs(2)
                        .patience(2)
                        .batchSize(8)
                        .seed(seed)
                        .build();
        return SequenceTrainer.train(fourVowelsPerSpeaker, options, null).classifier().weights();
    }

    private static List<float[]> servingArrays(NetworkWeights weights) {
        List<float[]> arrays = new ArrayList<>();
        for (RecurrentLayerWeights layer : weights.layers()) {
            arrays.add(layer.input());
            arrays.add(layer.recurrent());
            arrays.add(layer.bias());
        }
        arrays.add(weights.output());
        arrays.add(weights.outputBias());
        return arrays;
    }
}
