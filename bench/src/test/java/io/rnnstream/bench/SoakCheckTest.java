package io.rnnstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.data.LabeledSequence;
import io.rnnstream.core.data.TsReader;
import io.rnnstream.core.model.CellType;
import io.rnnstream.core.serving.SequenceClassifier;
import io.rnnstream.testkit.Results;
import io.rnnstream.testkit.TestModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SoakCheckTest {

    @TempDir static Path models;
    private static List<LabeledSequence> patterns;
    private static Map<Long, SequenceClassifier> versions;

    /** Three sequences of two keys: key a's s1 then s2 (after a model swap), key b's s1. */
    private static final List<SoakLoad.Sent> SENT =
            List.of(
                    new SoakLoad.Sent("a", "s1", 0, 1_000, 2_000),
                    new SoakLoad.Sent("b", "s1", 1, 1_500, 3_000),
                    new SoakLoad.Sent("a", "s2", 2, 2_500, 4_000));

    @BeforeAll
    static void twoModelVersions() throws Exception {
        Dataset vowels =
                TsReader.read(
                        BenchSuite.findDataDirectory()
                                .resolve("japanesevowels/JapaneseVowels_TEST.ts"));
        patterns = vowels.sequences();
        versions =
                Map.of(
                        1L,
                        TestModels.featureModel(
                                        models.resolve("v1"), "m", 1, 1, CellType.LSTM, 8, vowels)
                                .classifier(),
                        2L,
                        TestModels.featureModel(
                                        models.resolve("v2"), "m", 2, 2, CellType.LSTM, 8, vowels)
                                .classifier());
    }

    @Test
    void resultsThatAreTheOfflineReplayByTheirVersionsAreExact() {
        SoakCheck.Counts counts =
                check(
                        List.of(
                                offline(SENT.get(0), 1),
                                offline(SENT.get(1), 2),
                                offline(SENT.get(2), 2)));

        assertThat(counts.exact()).as(counts.examples().toString()).isTrue();
        assertThat(counts.expected()).isEqualTo(3);
        assertThat(counts.received()).isEqualTo(3);
        assertThat(counts.resultsByVersion()).isEqualTo(Map.of(1L, 1, 2L, 2));
    }

    @Test
    void aMissingResultIsLostAndASecondOneIsADuplicate() {
        SoakCheck.Counts counts =
                check(
                        List.of(
                                offline(SENT.get(0), 1),
                                offline(SENT.get(0), 1),
                                offline(SENT.get(2), 1)));

        assertThat(counts.lost()).isEqualTo(1);
        assertThat(counts.duplicated()).isEqualTo(1);
        assertThat(counts.mismatched()).isZero();
        assertThat(counts.exact()).isFalse();
        assertThat(counts.examples()).contains("lost b/s1", "duplicated a/s1 x2");
        assertThat(SoakCheck.inProgressAt(SENT, counts, 1_800))
                .containsEntry("sequencesInProgress", 2)
                .containsEntry("duplicated", 1)
                .containsEntry("lost", 1);
    }

    @Test
    void aResultThatIsNotTheReplayByItsVersionIsAMismatch() {
        Results.Result right = offline(SENT.get(1), 1);
        float[] off = right.probabilities().clone();
        off[0] += 1e-4f;
        Results.Result probability =
                new Results.Result(
                        right.key(), right.seq(), right.label(), off, "end", 1, right.steps());
        Results.Result otherVersion = relabel(offline(SENT.get(2), 1), 2);

        SoakCheck.Counts counts =
                check(List.of(offline(SENT.get(0), 1), probability, otherVersion));

        assertThat(counts.mismatched()).isEqualTo(2);
        assertThat(counts.lost()).isZero();
        assertThat(counts.examples()).anyMatch(e -> e.startsWith("b/s1 class 0 probability"));
    }

    @Test
    void aVersionNeverAnnouncedOrOlderThanTheKeysEarlierSequenceIsAMismatch() {
        SoakCheck.Counts counts =
                check(
                        List.of(
                                offline(SENT.get(0), 2),
                                relabel(offline(SENT.get(1), 1), 3),
                                offline(SENT.get(2), 1)));

        assertThat(counts.mismatched()).isEqualTo(2);
        assertThat(counts.examples())
                .contains(
                        "b/s1 names version 3, never announced",
                        "a/s2 on version 1 after an earlier sequence of its key on 2");
    }

    @Test
    void aResultForASequenceNeverSentIsUnexpected() {
        List<Results.Result> results = new ArrayList<>();
        SENT.forEach(s -> results.add(offline(s, 1)));
        results.add(offline(new SoakLoad.Sent("c", "s9", 0, 0, 0), 1));

        SoakCheck.Counts counts = check(results);

        assertThat(counts.unexpected()).isEqualTo(1);
        assertThat(counts.exact()).isFalse();
    }

    private static SoakCheck.Counts check(List<Results.Result> results) {
        return new SoakCheck(patterns, versions).compare(SENT, results);
    }

    /** The result the job should commit for {@code sent} served by {@code version}. */
    private static Results.Result offline(SoakLoad.Sent sent, long version) {
        SequenceClassifier model = versions.get(version);
        float[][] steps = patterns.get(sent.pattern()).features();
        float[] probabilities = model.classifyFeatures(steps);
        return new Results.Result(
                sent.key(),
                sent.id(),
                model.spec().labels().get(SequenceClassifier.argMax(probabilities)),
                probabilities,
                "end",
                version,
                steps.length);
    }

    private static Results.Result relabel(Results.Result result, long version) {
        return new Results.Result(
                result.key(),
                result.seq(),
                result.label(),
                result.probabilities(),
                result.trigger(),
                version,
                result.steps());
    }
}
