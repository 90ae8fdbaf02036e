package io.rnnstream.stream.predict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rnnstream.core.artifact.ModelArtifact;
import io.rnnstream.core.model.CellType;
import io.rnnstream.core.serving.LanguageModel;
import io.rnnstream.core.serving.RecurrentState;
import io.rnnstream.core.serving.Stepper;
import io.rnnstream.stream.event.DeadLetterReason;
import io.rnnstream.stream.model.ModelAnnouncement;
import io.rnnstream.stream.model.ModelLoader;
import io.rnnstream.stream.model.RoleAnnouncement;
import io.rnnstream.stream.testing.SlowFileSystemFactory;
import io.rnnstream.testkit.TestModels;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Language-model versions load, verify and warm up off the task thread: a version whose artifact
 * store is slow ({@link SlowFileSystemFactory}) holds up only the keys that need it, which get
 * every prediction, in order, once it has loaded, even across a restore; a tampered artifact is
 * refused by name and reason while the version before it keeps serving; and the bounded cache
 * evicts a version that a later event then loads, and verifies, again.
 */
class LanguageModelVersionLoadingTest {

    private static final String CHAT = "chat-lm";
    private static final String NOTES = "notes-lm";
    private static final String ALPHABET = "abc ";
    private static final List<String> TEXTS = List.of("abc", "cab", "a b", "bca", "ccc");

    @TempDir static Path models;
    private static TestModels.Written chat1;
    private static TestModels.Written chat2;
    private static TestModels.Written notes1;

    @BeforeAll
    static void writeModels() throws Exception {
        chat1 =
                TestModels.characterLanguageModel(
                        models.resolve("chat/1"), CHAT, 1, 3, CellType.LSTM, ALPHABET);
        chat2 =
                TestModels.characterLanguageModel(
                        models.resolve("chat/2"), CHAT, 2, 4, CellType.LSTM, ALPHABET);
        notes1 =
                TestModels.characterLanguageModel(
                        models.resolve("notes/1"), NOTES, 1, 5, CellType.ELMAN, ALPHABET);
    }

    @Test
    void keysOfALoadedVersionKeepGettingPredictionsWhileAnotherVersionLoadsSlowly()
            throws Exception {
        try (LanguageModelHarness harness = new LanguageModelHarness(settings(8, 4))) {
            harness.announce(RoleAnnouncement.serving(chat1.announcement()));
            harness.send("open", CHAT, "s1", TEXTS.get(0), 1);
            harness.awaitLoads();

            long announced = System.nanoTime();
            harness.announce(RoleAnnouncement.serving(slow(notes1)));
            harness.announce(RoleAnnouncement.serving(slow(chat2)));
            assertThat(elapsedSince(announced))
                    .as("the announcements do not wait for the loads")
                    .isLessThan(SlowFileSystemFactory.DELAY);
            long time = 2;
            for (String text : TEXTS.subList(1, TEXTS.size())) {
                harness.send("open", CHAT, "s1", text, time++);
                harness.send("notes", NOTES, "s1", text, time++);
                harness.send("fresh", CHAT, "s1", text, time++);
            }
            // The retries of the waiting keys come and go while the slow versions load.
            harness.harness().setProcessingTime(LanguageModelFunction.RETRY_INTERVAL_MS * 3);

            List<Prediction> duringTheLoads = harness.predictionsSoFar();
            assertThat(elapsedSince(announced)).isLessThan(SlowFileSystemFactory.DELAY);
            assertThat(harness.function().loadsFinished()).as("the slow versions load").isFalse();
            assertThat(duringTheLoads)
                    .as("the open sequence of version 1 goes on, no other key is served yet")
                    .allMatch(p -> p.key().equals("open"))
                    .hasSize(TEXTS.size());
            assertMatchesOfflineModel(duringTheLoads, chat1, TEXTS);

            List<Prediction> all = harness.predictions();
            assertThat(elapsedSince(announced))
                    .as("the store really was slow")
                    .isGreaterThanOrEqualTo(SlowFileSystemFactory.DELAY);
            assertThat(all.subList(0, duringTheLoads.size())).isEqualTo(duringTheLoads);
            List<Prediction> afterTheLoads = all.subList(duringTheLoads.size(), all.size());
            assertMatchesOfflineModel(
                    ofKey(afterTheLoads, "notes"), notes1, TEXTS.subList(1, TEXTS.size()));
            assertMatchesOfflineModel(
                    ofKey(afterTheLoads, "fresh"), chat2, TEXTS.subList(1, TEXTS.size()));
            assertThat(afterTheLoads).hasSize(2 * (TEXTS.size() - 1));
            assertThat(harness.deadLetters()).isEmpty();
        }
    }

    @Test
    void aTamperedArtifactIsRefusedWithItsReasonAndTheVersionBeforeItKeepsServing()
            throws Exception {
        ModelAnnouncement tampered = tamperedVersion2("tampered", 6);
        try (LanguageModelHarness harness = new LanguageModelHarness(settings(8, 4))) {
            harness.announce(RoleAnnouncement.serving(chat1.announcement()));
            harness.send("before", CHAT, "s1", TEXTS.get(0), 1);
            harness.awaitLoads();
            harness.announce(RoleAnnouncement.serving(tampered));
            long time = 2;
            for (String text : TEXTS) {
                harness.send("after", CHAT, "s1", text, time++);
            }

            List<Prediction> predictions = harness.predictions();

            assertThat(harness.deadLetters())
                    .singleElement()
                    .satisfies(
                            letter -> {
                                assertThat(letter.reason())
                                        .isEqualTo(DeadLetterReason.MODEL_REJECTED);
                                assertThat(letter.message())
                                        .contains("language model chat-lm version 2", "SHA-256");
                                assertThat(letter.origin().topic()).isEqualTo("models");
                            });
            assertMatchesOfflineModel(ofKey(predictions, "before"), chat1, TEXTS.subList(0, 1));
            assertMatchesOfflineModel(ofKey(predictions, "after"), chat1, TEXTS);

            // The refused version stays refused; a newer one is taken up.
            harness.announce(RoleAnnouncement.serving(version3()));
            harness.send("later", CHAT, "s1", TEXTS.get(0), time);
            assertThat(ofKey(harness.predictions(), "later"))
                    .singleElement()
                    .satisfies(p -> assertThat(p.modelVersion()).isEqualTo(3));
            assertThat(harness.deadLetters()).hasSize(1);
        }
    }

    @Test
    void aRefusalIsReportedWhileNoEventArrives() throws Exception {
        ModelAnnouncement tampered = tamperedVersion2("quiet", 9);
        try (LanguageModelHarness harness = new LanguageModelHarness(settings(8, 4))) {
            harness.announce(RoleAnnouncement.serving(chat1.announcement()));
            harness.announce(RoleAnnouncement.serving(tampered));
            harness.awaitLoads();

            assertThat(harness.deadLetters())
                    .singleElement()
                    .satisfies(
                            letter ->
                                    assertThat(letter.message())
                                            .contains("chat-lm version 2", "SHA-256"));
            assertThat(harness.predictionsSoFar()).isEmpty();
        }
    }

    @Test
    void aVersionEvictedFromTheCacheIsLoadedAndVerifiedAgainWhenAKeyNeedsIt() throws Exception {
        CountingLoader loader = new CountingLoader();
        try (LanguageModelHarness harness =
                new LanguageModelHarness(settings(1, 1), loader, null)) {
            harness.announce(RoleAnnouncement.serving(chat1.announcement()));
            harness.send("first", CHAT, "s1", TEXTS.get(0), 1);
            harness.awaitLoads();
            harness.announce(RoleAnnouncement.serving(chat2.announcement()));
            harness.send("second", CHAT, "s1", TEXTS.get(0), 2);
            harness.awaitLoads();
            // Taking version 2 into use pushes version 1 out at the next call.
            harness.send("second", CHAT, "s1", TEXTS.get(1), 3);
            assertThat(harness.function().loadedVersions()).as("versions loaded").isEqualTo(1);

            harness.send("first", CHAT, "s1", TEXTS.get(1), 4);
            List<Prediction> predictions = harness.predictions();

            assertThat(loader.loads(chat1.announcement())).as("loads of version 1").isEqualTo(2);
            assertMatchesOfflineModel(ofKey(predictions, "first"), chat1, TEXTS.subList(0, 2));
            assertMatchesOfflineModel(ofKey(predictions, "second"), chat2, TEXTS.subList(0, 2));

            // Pushed out again, version 1 now fails its check: the reload verified it.
            harness.send("second", CHAT, "s1", TEXTS.get(2), 5);
            harness.awaitLoads();
            TestModels.flipOneByte(chat1.directory().resolve("serving.bin"));
            try {
                harness.send("first", CHAT, "s1", TEXTS.get(2), 6);
                assertThatThrownBy(harness::awaitLoads)
                        .hasStackTraceContaining("language model chat-lm version 1")
                        .hasStackTraceContaining("cannot be loaded again")
                        .hasStackTraceContaining("SHA-256");
            } finally {
                TestModels.flipOneByte(chat1.directory().resolve("serving.bin"));
            }
        }
    }

    @Test
    void keysWaitingForAVersionAtACheckpointGetEveryPredictionAfterARestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (LanguageModelHarness harness = new LanguageModelHarness(settings(8, 4))) {
            harness.announce(RoleAnnouncement.serving(slow(notes1)));
            long time = 1;
            for (String text : TEXTS) {
                harness.send("a", NOTES, "s1", text, time++);
                harness.send("b", NOTES, "s1", text, time++);
            }
            assertThat(harness.predictionsSoFar()).isEmpty();
            // Taken while the version still loads: the waiting events and their retries are keyed
            // state, the accepted version broadcast state.
            snapshot = harness.harness().snapshot(1, 1);
        }
        try (LanguageModelHarness restored =
                new LanguageModelHarness(settings(8, 4), new ModelLoader(), snapshot)) {
            List<Prediction> predictions = restored.predictions();

            assertMatchesOfflineModel(ofKey(predictions, "a"), notes1, TEXTS);
            assertMatchesOfflineModel(ofKey(predictions, "b"), notes1, TEXTS);
            assertThat(predictions).hasSize(2 * TEXTS.size());
            assertThat(restored.deadLetters()).isEmpty();
        }
    }

    @Test
    void aRefusalReportedBeforeACheckpointIsNotReportedAgainAfterARestore() throws Exception {
        ModelAnnouncement tampered = tamperedVersion2("refused", 8);
        OperatorSubtaskState snapshot;
        try (LanguageModelHarness harness = new LanguageModelHarness(settings(8, 4))) {
            harness.announce(RoleAnnouncement.serving(chat1.announcement()));
            harness.announce(RoleAnnouncement.serving(tampered));
            harness.send("k", CHAT, "s1", TEXTS.get(0), 1);
            assertThat(harness.predictions()).singleElement();
            assertThat(harness.deadLetters()).singleElement();
            snapshot = harness.harness().snapshot(1, 1);
        }
        CountingLoader loader = new CountingLoader();
        try (LanguageModelHarness restored =
                new LanguageModelHarness(settings(8, 4), loader, snapshot)) {
            restored.send("k", CHAT, "s1", TEXTS.get(1), 2);
            List<Prediction> predictions = restored.predictions();

            assertThat(restored.deadLetters()).as("dead letters after the restore").isEmpty();
            assertThat(loader.loads(tampered))
                    .as("the refused version is not loaded again")
                    .isZero();
            assertThat(predictions)
                    .singleElement()
                    .satisfies(p -> assertThat(p.modelVersion()).isEqualTo(1))
                    .satisfies(p -> assertThat(p.position()).isEqualTo(6));
        }
    }

    /**
     * Version 2 of {@value #CHAT} in {@code directory}, built from {@code seed}, with one byte of
     * its weights flipped after the manifest recorded their digest.
     */
    private static ModelAnnouncement tamperedVersion2(String directory, long seed)
            throws IOException {
        TestModels.Written written =
                TestModels.characterLanguageModel(
                        models.resolve(directory + "/2"), CHAT, 2, seed, CellType.LSTM, ALPHABET);
        TestModels.flipOneByte(written.directory().resolve("serving.bin"));
        return written.announcement();
    }

    private static ModelAnnouncement version3() throws IOException {
        return TestModels.characterLanguageModel(
                        models.resolve("chat/3"), CHAT, 3, 7, CellType.LSTM, ALPHABET)
                .announcement();
    }

    /** {@code written}'s version, read through the slow store. */
    private static ModelAnnouncement slow(TestModels.Written written) {
        ModelAnnouncement announcement = written.announcement();
        return new ModelAnnouncement(
                announcement.name(),
                announcement.version(),
                SlowFileSystemFactory.uri(written.directory()),
                announcement.sha256());
    }

    private static PredictionSettings settings(int cacheSize, int cachePerModel) {
        return new PredictionSettings(
                Set.of(CHAT, NOTES),
                Map.of(),
                "predictions",
                3,
                0,
                100,
                0,
                Duration.ofHours(1),
                cacheSize,
                cachePerModel);
    }

    private static List<Prediction> ofKey(List<Prediction> predictions, String key) {
        return predictions.stream().filter(p -> p.key().equals(key)).toList();
    }

    /**
     * {@code predictions} are, in order, those of one sequence of events holding {@code texts} on
     * {@code written}'s version: one each, with the surprise of the offline model stepped over the
     * same texts.
     */
    private static void assertMatchesOfflineModel(
            List<Prediction> predictions, TestModels.Written written, List<String> texts) {
        assertThat(predictions).hasSize(texts.size());
        LanguageModel model = new LanguageModel(written.classifier());
        Stepper stepper = model.newStepper();
        RecurrentState state = model.initialState();
        int position = 0;
        for (int e = 0; e < texts.size(); e++) {
            double surprise = 0;
            for (int id : model.encode(texts.get(e), "text")) {
                surprise += LanguageModel.surprise(stepper.probabilities(state), id);
                model.advance(stepper, state, id);
                position++;
            }
            Prediction prediction = predictions.get(e);
            assertThat(prediction.modelVersion()).isEqualTo(written.announcement().version());
            assertThat(prediction.position()).as("event %d's position", e).isEqualTo(position);
            assertThat(prediction.surprise())
                    .as("event %d's surprise", e)
                    .isCloseTo(surprise, Offset.offset(1e-5));
        }
    }

    private static Duration elapsedSince(long nanos) {
        return Duration.ofNanos(System.nanoTime() - nanos);
    }

    /** Loads as the job does, counting the loads of each version. */
    private static final class CountingLoader extends ModelLoader {

        private static final long serialVersionUID = 1L;

        private final Map<String, AtomicInteger> loads = new ConcurrentHashMap<>();

        @Override
        public ModelArtifact load(ModelAnnouncement announcement) throws IOException {
            loads.computeIfAbsent(announcement.id(), id -> new AtomicInteger()).incrementAndGet();
            return super.load(announcement);
        }

        int loads(ModelAnnouncement announcement) {
            AtomicInteger count = loads.get(announcement.id());
            return count == null ? 0 : count.get();
        }
    }
}
