package io.rnnstream.stream.testing;

import io.rnnstream.stream.ClassifierJob;
import io.rnnstream.stream.StreamJobConfig;
import io.rnnstream.stream.model.ModelLoader;
import io.rnnstream.testkit.FaultInjector;
import io.rnnstream.testkit.StreamTestJob;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;

/** Starts the real classifier job on the test MiniCluster against the test broker. */
public final class ClassifierTestJob {

    private ClassifierTestJob() {}

    public static JobClient start(Map<String, String> settings, FaultInjector tap)
            throws Exception {
        return start(settings, tap, "hashmap");
    }

    /** As {@link #start(Map, FaultInjector)} with the given state backend (hashmap or rocksdb). */
    public static JobClient start(
            Map<String, String> settings, FaultInjector tap, String stateBackend) throws Exception {
        return start(settings, tap, stateBackend, new Configuration());
    }

    /**
     * As {@link #start(Map, FaultInjector, String)}; {@code flink} overrides the test defaults,
     * e.g. {@link StreamTestJob#retainCheckpoints}, {@link StreamTestJob#restoreFrom} or no
     * restarts.
     */
    public static JobClient start(
            Map<String, String> settings,
            FaultInjector tap,
            String stateBackend,
            Configuration flink)
            throws Exception {
        ClassifierJob job = new ClassifierJob(StreamJobConfig.fromMap(settings), new ModelLoader());
        job.checkBroker();
        return StreamTestJob.start(job.flinkConfiguration(), job::start, tap, stateBackend, flink);
    }
}
