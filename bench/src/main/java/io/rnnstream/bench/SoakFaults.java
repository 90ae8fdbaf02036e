package io.rnnstream.bench;

import io.rnnstream.testkit.KafkaBroker;
import io.rnnstream.testkit.cluster.StandaloneFlinkCluster;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.DoubleSupplier;

/**
 * Strikes the soak's faults ({@link SoakSchedule.Kind}) on its broker, cluster and job, and waits
 * for the job to recover from each: every task running and a checkpoint triggered after the fault's
 * start completed. A model swap is taken up when its first result is committed, which the soak sees
 * in the results at the end.
 */
final class SoakFaults {

    private final KafkaBroker kafka;
    private final StandaloneFlinkCluster flink;
    private final SoakJob job;
    private final SoakLoad load;
    private final SoakModels models;
    private final String modelsTopic;
    private final DoubleSupplier secondsOfLoad;

    SoakFaults(
            KafkaBroker kafka,
            StandaloneFlinkCluster flink,
            SoakJob job,
            SoakLoad load,
            SoakModels models,
            String modelsTopic,
            DoubleSupplier secondsOfLoad) {
        this.kafka = kafka;
        this.flink = flink;
        this.job = job;
        this.load = load;
        this.models = models;
        this.modelsTopic = modelsTopic;
        this.secondsOfLoad = secondsOfLoad;
    }

    /** Strikes one fault and waits for the job to recover; returns what happened. */
    Map<String, Object> strike(SoakSchedule.Planned planned) throws Exception {
        Map<String, Object> fault = new LinkedHashMap<>();
        fault.put("kind", planned.kind().name());
        fault.put("plannedAtSecond", SoakSuite.round(planned.atSecond()));
        long startedMillis = System.currentTimeMillis();
        long startedNanos = System.nanoTime();
        fault.put("startedAtSecond", SoakSuite.round(secondsOfLoad.getAsDouble()));
        fault.put("startedAtMillis", startedMillis);
        long restartsBefore = job.totalRestarts();
        long failedBefore = job.totalFailedCheckpoints();
        boolean recovered;
        switch (planned.kind()) {
            case TASK_MANAGER_KILL -> {
                fault.put("killedPid", flink.killTaskManager());
                flink.startTaskManager(Duration.ofSeconds(120));
                recovered = job.awaitCheckpointSince(startedMillis, SoakSuite.RECOVERY_BOUND);
            }
            case BROKER_RESTART -> {
                long events = load.events();
                kafka.kill();
                Thread.sleep(SoakSuite.BROKER_OUTAGE.toMillis());
                // What the load got through while the broker was down: far fewer than its rate,
                // as the producer blocks on the lost broker's metadata until it is back.
                fault.put("eventsSentWhileDown", load.events() - events);
                kafka.restart();
                fault.put("outageSeconds", SoakSuite.BROKER_OUTAGE.toSeconds());
                recovered = job.awaitCheckpointSince(startedMillis, SoakSuite.RECOVERY_BOUND);
            }
            case SAVEPOINT_RESUME -> {
                String savepoint = job.stopWithSavepoint();
                fault.put("savepoint", savepoint);
                job.resume(savepoint);
                fault.put("resumedJob", job.id());
                recovered = job.awaitCheckpointSince(startedMillis, SoakSuite.RECOVERY_BOUND);
            }
            case MODEL_SWAP -> {
                fault.put("version", models.announceNext(kafka, modelsTopic));
                // Taken up when its first result is committed, seen at the end.
                recovered = true;
            }
            default -> throw new IllegalStateException("unknown fault " + planned.kind());
        }
        fault.put("recovered", recovered);
        if (planned.kind() != SoakSchedule.Kind.MODEL_SWAP) {
            fault.put("recoverySeconds", SoakSuite.round((System.nanoTime() - startedNanos) / 1e9));
        }
        // What Flink saw of the fault until it recovered: a kill that neither restarted the job
        // nor failed a checkpoint did not hit the job.
        fault.put("restarts", job.totalRestarts() - restartsBefore);
        fault.put("failedCheckpoints", job.totalFailedCheckpoints() - failedBefore);
        return fault;
    }
}
