package io.rnnstream.stream.predict;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.core.model.CellType;
import io.rnnstream.stream.event.DeadLetter;
import io.rnnstream.stream.event.DeadLetterReason;
import io.rnnstream.stream.model.ModelRole;
import io.rnnstream.stream.model.RoleAnnouncement;
import io.rnnstream.testkit.TestModels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The language-model path serves each model's newest version and runs no shadows: an announcement
 * of a shadow, a retirement or a rollback is refused by name, and the serving version goes on
 * answering.
 */
class LanguageModelRolesTest {

    private static final String MODEL = "chat-lm";

    @TempDir Path models;

    private TestModels.Written v1;
    private TestModels.Written v2;

    @BeforeEach
    void twoVersions() throws Exception {
        v1 =
                TestModels.characterLanguageModel(
                        models.resolve("1"), MODEL, 1, 3, CellType.LSTM, "abc ");
        v2 =
                TestModels.characterLanguageModel(
                        models.resolve("2"), MODEL, 2, 4, CellType.LSTM, "abc ");
    }

    @Test
    void shadowRetiredAndRollbackAnnouncementsAreRefusedAndTheServingVersionKeepsAnswering()
            throws Exception {
        try (LanguageModelHarness harness = new LanguageModelHarness(settings())) {
            harness.announce(RoleAnnouncement.serving(v1.announcement()));
            harness.announce(new RoleAnnouncement(v2.announcement(), ModelRole.SHADOW, false));
            harness.announce(new RoleAnnouncement(v2.announcement(), ModelRole.RETIRED, false));
            harness.announce(new RoleAnnouncement(v1.announcement(), ModelRole.SERVING, true));
            harness.send(MODEL, "abc", 1);

            List<DeadLetter> refusals = new ArrayList<>();
            harness.harness()
                    .getSideOutput(DeadLetter.SIDE_OUTPUT)
                    .forEach(r -> refusals.add(r.getValue()));
            assertThat(refusals)
                    .extracting(DeadLetter::reason)
                    .containsOnly(DeadLetterReason.MODEL_REJECTED);
            assertThat(refusals)
                    .extracting(DeadLetter::message)
                    .satisfiesExactly(
                            m -> assertThat(m).contains("version 2", "announced as shadow"),
                            m -> assertThat(m).contains("version 2", "announced as retired"),
                            m -> assertThat(m).contains("version 1", "not rolled back"));
            assertThat(harness.predictions())
                    .singleElement()
                    .satisfies(p -> assertThat(p.modelVersion()).isEqualTo(1));
        }
    }

    @Test
    void aNewerServingVersionIsStillTakenUp() throws Exception {
        try (LanguageModelHarness harness = new LanguageModelHarness(settings())) {
            harness.announce(RoleAnnouncement.serving(v1.announcement()));
            harness.announce(RoleAnnouncement.serving(v2.announcement()));
            harness.send(MODEL, "abc", 1);

            assertThat(harness.harness().getSideOutput(DeadLetter.SIDE_OUTPUT)).isNullOrEmpty();
            assertThat(harness.predictions())
                    .singleElement()
                    .satisfies(p -> assertThat(p.modelVersion()).isEqualTo(2));
        }
    }

    private static PredictionSettings settings() {
        return new PredictionSettings(
                Set.of(MODEL), Map.of(), "predictions", 3, 0, 100, 0, Duration.ofHours(1));
    }
}
