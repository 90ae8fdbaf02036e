package io.rnnstream.stream.predict;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.core.model.CellType;
import io.rnnstream.stream.model.RoleAnnouncement;
import io.rnnstream.testkit.TestModels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Anomaly mode: with a surprise threshold only the events more surprising than it are written (and
 * every event that asks for a continuation), each with the surprise it would have had without the
 * threshold.
 */
class SurpriseThresholdTest {

    private static final String MODEL = "chat-lm";
    private static final String TEXTS = "abcab abc cba ab";

    @TempDir Path models;

    @Test
    void onlyEventsAboveTheThresholdAreWrittenWithUnchangedFigures() throws Exception {
        TestModels.Written written =
                TestModels.characterLanguageModel(
                        models.resolve("lm"), MODEL, 1, 3, CellType.LSTM, "abc ");
        List<Prediction> all = run(written, 0);
        double median =
                all.stream().mapToDouble(Prediction::surprise).sorted().toArray()[all.size() / 2];

        List<Prediction> anomalies = run(written, median);

        assertThat(all).hasSize(TEXTS.split(" ").length);
        assertThat(anomalies)
                .isNotEmpty()
                .hasSizeLessThan(all.size())
                .allSatisfy(p -> assertThat(p.surprise()).isGreaterThan(median));
        assertThat(anomalies)
                .usingRecursiveFieldByFieldElementComparator()
                .isSubsetOf(all)
                .containsAll(all.stream().filter(p -> p.surprise() > median).toList());
    }

    private static List<Prediction> run(TestModels.Written model, double threshold)
            throws Exception {
        PredictionSettings settings =
                new PredictionSettings(
                        Set.of(MODEL),
                        Map.of(),
                        "predictions",
                        3,
                        threshold,
                        100,
                        0,
                        Duration.ofHours(1));
        try (LanguageModelHarness harness = new LanguageModelHarness(settings)) {
            harness.announce(RoleAnnouncement.serving(model.announcement()));
            long time = 1;
            for (String text : TEXTS.split(" ")) {
                harness.send(MODEL, text, time++);
            }
            return harness.predictions();
        }
    }
}
