package io.rnnstream.retrain;

import io.rnnstream.testkit.KafkaBroker;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** Retraining runs as the ITCases start them: on a local Flink environment, one slot. */
final class RetrainRuns {

    private RetrainRuns() {}

    /**
     * Settings of a run that reads {@code labelled} from its start, publishes {@code model} to
     * {@code store} and announces it on {@code models}, and writes its report to {@code report}.
     */
    static Map<String, String> settings(
            KafkaBroker kafka,
            String labelled,
            String models,
            String model,
            Path store,
            Path report) {
        Map<String, String> settings = new HashMap<>();
        settings.put("bootstrap.servers", kafka.bootstrapServers());
        settings.put("topic.labelled", labelled);
        settings.put("topic.models", models);
        settings.put("model.name", model);
        settings.put("model.store", store.toUri().toString());
        settings.put("labelled.from", "earliest");
        settings.put("parallelism", "1");
        settings.put("report.file", report.toString());
        return settings;
    }

    /** Runs the job with {@code settings} and returns its report. */
    static RetrainReport run(Map<String, String> settings) throws Exception {
        return new RetrainJob(RetrainConfig.fromMap(settings), e -> {})
                .run(
                        StreamExecutionEnvironment.getExecutionEnvironment(
                                RetrainJob.flinkConfiguration()));
    }
}
