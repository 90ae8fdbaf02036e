package io.rnnstream.deploy.retrain;

import io.rnnstream.core.TestData;
import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.data.LabeledSequence;
import io.rnnstream.core.data.TsReader;
import io.rnnstream.testkit.EventScript;
import io.rnnstream.testkit.KafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A retraining run small enough for the deploy tests, which run the shipped job in other JVMs: 45
 * labelled JapaneseVowels training sequences (5 per speaker) on a labelled topic, a tiny network
 * trained for one epoch, and a gate that lets every candidate through (the tests are about running
 * and publishing, not about the gate).
 */
public final class SmallRetraining {

    private SmallRetraining() {}

    /**
     * Creates the labelled topic and the compacted models topic and produces the labelled
     * sequences; returns how many.
     */
    public static int produceLabelled(KafkaBroker kafka, String labelled, String models)
            throws Exception {
        kafka.createTopic(labelled, 2);
        kafka.createTopic(models, 1, Map.of("cleanup.policy", "compact"));
        Dataset train = TsReader.read(TestData.path("japanesevowels/JapaneseVowels_TRAIN.ts"));
        EventScript script = new EventScript(labelled).labelled();
        List<LabeledSequence> sequences = TestData.slice(train, 5).sequences();
        for (int i = 0; i < sequences.size(); i++) {
            script.add("speaker-" + (i % 9), "utterance-" + i, sequences.get(i));
        }
        kafka.produce(script.records(System.currentTimeMillis()));
        return sequences.size();
    }

    /**
     * Writes the settings of a run of model {@code vowels} that reads {@code labelled} from the
     * start, publishes into {@code store} and on {@code models}, compares with the version at
     * {@code initialUri} and writes its report to {@code report}.
     */
    public static Path writeConfig(
            Path file,
            KafkaBroker kafka,
            String labelled,
            String models,
            Path store,
            String initialUri,
            Path report)
            throws Exception {
        return Files.writeString(
                file,
                String.join(
                        "\n",
                        "bootstrap.servers=" + kafka.bootstrapServers(),
                        "topic.labelled=" + labelled,
                        "topic.models=" + models,
                        "model.name=vowels",
                        "model.store=" + store.toUri(),
                        "model.initial.uri=" + initialUri,
                        "labelled.from=earliest",
                        "warm-start=false",
                        "train.hidden-size=8",
                        "train.max-epochs=1",
                        "gate.margin=1",
                        // 45 sequences hold out 9: enough to run the job, far below the default.
                        "gate.min-holdout=9",
                        "report.file=" + report,
                        "parallelism=1",
                        ""));
    }
}
