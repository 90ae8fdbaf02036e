package io.rnnstream.retrain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.core.TestData;
import io.rnnstream.core.artifact.DirectorySource;
import io.rnnstream.core.artifact.ModelArtifact;
import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.data.LabeledSequence;
import io.rnnstream.core.data.TsReader;
import io.rnnstream.testkit.EventScript;
import io.rnnstream.testkit.KafkaBroker;
import io.rnnstream.testkit.StreamTestJob;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The retraining job's default window on long sequences, in the closed loop (labelled events on
 * Kafka, the job on Flink, the candidate published to the store): BasicMotions, 100 steps per
 * sequence, trained once with {@code train.tbptt-length} left at its default and once with full
 * BPTT asked for explicitly (a window as long as the sequences). The default must publish a
 * candidate within 0.02 of full BPTT's hold-out accuracy, and record the window it chose in the
 * artifact and the report.
 *
 * <p>Both runs read the same labelled topic (one partition, so the same order) with the same seed,
 * so they hold out the same sequences. The epoch budget is capped alike for both to keep the test
 * short; the window is the only setting that differs.
 */
class RetrainDefaultsOnLongSequencesITCase {

    @RegisterExtension static final KafkaBroker KAFKA = new KafkaBroker();

    @RegisterExtension static final MiniClusterExtension FLINK = StreamTestJob.miniCluster();

    private static final String LABELLED = "long-labelled";
    private static final String MODELS = "long-models";
    private static final int STEPS = 100;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path temp;

    @Test
    void theDefaultWindowPublishesACandidateAsAccurateAsFullBptt() throws Exception {
        KAFKA.createTopic(LABELLED, 1);
        KAFKA.createTopic(MODELS, 1, Map.of("cleanup.policy", "compact"));
        List<LabeledSequence> sequences = new ArrayList<>();
        for (String split : List.of("TRAIN", "TEST")) {
            Dataset data =
                    TsReader.read(TestData.path("basicmotions/BasicMotions_" + split + ".ts"));
            sequences.addAll(data.sequences());
        }
        assertThat(sequences).allSatisfy(s -> assertThat(s.length()).isEqualTo(STEPS));
        EventScript script = new EventScript(LABELLED).labelled();
        for (int i = 0; i < sequences.size(); i++) {
            script.add("sensor-" + (i % 8), "run-" + i, sequences.get(i));
        }
        KAFKA.produce(script.records(System.currentTimeMillis()));

        RetrainReport byDefault = retrain("motion-default", Map.of());
        RetrainReport fullBptt =
                retrain("motion-full", Map.of("train.tbptt-length", Integer.toString(STEPS)));

        assertThat(byDefault.decision())
                .as(byDefault.summary())
                .isEqualTo(RetrainReport.Decision.PUBLISHED);
        assertThat(fullBptt.decision())
                .as(fullBptt.summary())
                .isEqualTo(RetrainReport.Decision.PUBLISHED);
        JsonNode defaultReport = report("motion-default");
        JsonNode fullReport = report("motion-full");
        assertThat(defaultReport.get("holdoutSequences"))
                .as("both runs hold out the same sequences")
                .isEqualTo(fullReport.get("holdoutSequences"));
        double defaultAccuracy = (double) byDefault.get("candidateScore");
        double fullAccuracy = (double) fullBptt.get("candidateScore");
        System.out.printf(
                "BasicMotions hold-out accuracy: default window %.3f, full BPTT %.3f (%d held out)%n",
                defaultAccuracy, fullAccuracy, defaultReport.get("holdoutSequences").asInt());
        assertThat(defaultAccuracy)
                .isCloseTo(fullAccuracy, org.assertj.core.data.Offset.offset(0.02));

        // The choice is recorded: 0 is full BPTT, which a batch of 100-step sequences fits.
        assertThat(defaultReport.get("training").get("tbpttLength").asInt()).isZero();
        assertThat(artifact("motion-default").manifest().training().tbpttLength()).isZero();
        assertThat(artifact("motion-full").manifest().training().tbpttLength()).isEqualTo(STEPS);
    }

    private RetrainReport retrain(String model, Map<String, String> overrides) throws Exception {
        Map<String, String> settings =
                RetrainRuns.settings(
                        KAFKA,
                        LABELLED,
                        MODELS,
                        model,
                        temp.resolve("store"),
                        temp.resolve(model + "-report.json"));
        settings.put("gate.first-version", "true");
        settings.put("gate.min-holdout", "10");
        settings.put("train.max-epochs", "20");
        settings.putAll(overrides);
        return RetrainRuns.run(settings);
    }

    private JsonNode report(String model) throws Exception {
        return JSON.readTree(temp.resolve(model + "-report.json").toFile());
    }

    private ModelArtifact artifact(String model) throws Exception {
        return ModelArtifact.load(
                new DirectorySource(temp.resolve("store").resolve(model).resolve("1")), null);
    }
}
