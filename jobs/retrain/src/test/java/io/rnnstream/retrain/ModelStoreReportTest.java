package io.rnnstream.retrain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code report.store}: a run's report lands in the model store beside the versions, under a name
 * that says when and what was decided, is never overwritten, and is never taken for a version.
 */
class ModelStoreReportTest {

    @TempDir Path store;

    @Test
    void theReportGoesBesideTheVersionsNamedByTimeDecisionAndCandidate() throws IOException {
        RetrainReport report = new RetrainReport("motion");
        report.put("candidateVersion", 4L);
        report.decide(RetrainReport.Decision.REJECTED_WORSE, "candidate 0.80 vs version 3's 0.90");

        String uri = ModelStore.reportUri(store.toUri().toString(), "motion", report);
        ModelStore.writeReport(uri, report.toJson());

        assertThat(uri)
                .matches(
                        ".*/motion/reports/[0-9]{8}T[0-9]{6}\\.[0-9]{3}Z-rejected-worse-v4\\.json");
        Path written = Path.of(java.net.URI.create(uri));
        assertThat(written.getParent()).isEqualTo(store.resolve("motion/reports"));
        var json =
                new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(Files.readString(written, StandardCharsets.UTF_8));
        assertThat(json.path("decision").asText()).isEqualTo("rejected-worse");
        assertThat(json.path("reason").asText()).isEqualTo("candidate 0.80 vs version 3's 0.90");
        assertThat(json.path("candidateVersion").asLong()).isEqualTo(4);
        assertThatThrownBy(() -> ModelStore.writeReport(uri, report.toJson()))
                .as("an existing report is never replaced")
                .isInstanceOf(IOException.class);

        Files.createDirectories(store.resolve("motion/3"));
        assertThat(
                        new ModelStore(store.toString(), "motion", (stage, detail) -> {})
                                .highestVersion())
                .as("the reports directory is not a version")
                .isEqualTo(3);
    }

    @Test
    void aRunWithoutACandidateIsNamedByItsDecisionAlone() {
        RetrainReport report = new RetrainReport("motion");
        report.decide(RetrainReport.Decision.NOT_ENOUGH_DATA, "3 usable labelled sequences");
        assertThat(ModelStore.reportUri("s3://models/rnnstream", "motion", report))
                .matches(
                        "s3://models/rnnstream/motion/reports/[0-9]{8}T[0-9]{6}\\.[0-9]{3}Z-not-enough-data\\.json");
    }
}
