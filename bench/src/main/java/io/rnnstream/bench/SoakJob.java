package io.rnnstream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.rnnstream.testkit.cluster.StandaloneFlinkCluster;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shipped stream job jar on the standalone cluster, as an operator runs it: submitted with
 * {@code flink run -d}, stopped with {@code flink stop --savepointPath} and resumed with {@code
 * flink run -s}. Each resume is a new Flink job; the restarts and failed checkpoints of the jobs
 * before it are kept, so the totals cover the whole soak.
 */
final class SoakJob {

    private static final Pattern JOB_ID = Pattern.compile("JobID ([0-9a-f]{32})");
    private static final Pattern SAVEPOINT = Pattern.compile("Savepoint completed\\. Path: (\\S+)");

    private final StandaloneFlinkCluster flink;
    private final String jar;
    private final Path config;
    private final Path savepoints;
    private String id;
    private long restartsOfEarlierJobs;
    private long failedCheckpointsOfEarlierJobs;
    private int jobs;

    private SoakJob(StandaloneFlinkCluster flink, String jar, Path config, Path savepoints) {
        this.flink = flink;
        this.jar = jar;
        this.config = config;
        this.savepoints = savepoints;
    }

    /** Writes the job's settings to {@code work} and submits it. */
    static SoakJob submit(
            StandaloneFlinkCluster flink, String jar, Map<String, String> settings, Path work)
            throws Exception {
        Path config = work.resolve("stream-job.properties");
        Properties properties = new Properties();
        properties.putAll(settings);
        try (Writer out = Files.newBufferedWriter(config)) {
            properties.store(out, null);
        }
        SoakJob job = new SoakJob(flink, jar, config, work.resolve("savepoints"));
        job.run();
        return job;
    }

    String id() {
        return id;
    }

    /** How many Flink jobs ran: the first and one per resume from a savepoint. */
    int jobs() {
        return jobs;
    }

    /** Stops the job with a savepoint; returns its path. */
    String stopWithSavepoint() throws Exception {
        long restarts = restarts();
        long failed = failedCheckpoints();
        String output = flink.flink("stop", "--savepointPath", savepoints.toUri().toString(), id);
        Matcher path = SAVEPOINT.matcher(output);
        if (!path.find()) {
            throw new IllegalStateException(
                    "no savepoint path in the output of flink stop:\n" + output);
        }
        restartsOfEarlierJobs += restarts;
        failedCheckpointsOfEarlierJobs += failed;
        return path.group(1);
    }

    /** Submits the job again, restoring {@code savepoint}. */
    void resume(String savepoint) throws Exception {
        run("-s", savepoint);
    }

    /**
     * Waits until the job and every task run and a checkpoint triggered at or after {@code
     * sinceMillis} (wall clock) completed: the job makes exactly-once progress again.
     *
     * @return whether that happened within {@code timeout}
     */
    boolean awaitCheckpointSince(long sinceMillis, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                JsonNode completed =
                        flink.rest("jobs/" + id + "/checkpoints").at("/latest/completed");
                if (!completed.isMissingNode()
                        && !completed.isNull()
                        && completed.get("trigger_timestamp").asLong() >= sinceMillis
                        && allRunning()) {
                    return true;
                }
            } catch (IOException e) {
                // The JobManager may be busy with the failover; ask again.
            }
            Thread.sleep(250);
        }
        return false;
    }

    /** Restarts of every job so far (the exception history of each job). */
    long totalRestarts() throws Exception {
        return restartsOfEarlierJobs + restarts();
    }

    /** Failed checkpoints of every job so far (the JobManager's checkpoint statistics). */
    long totalFailedCheckpoints() throws Exception {
        return failedCheckpointsOfEarlierJobs + failedCheckpoints();
    }

    /** Completed checkpoints of the current job. */
    long completedCheckpoints() throws Exception {
        return flink.rest("jobs/" + id + "/checkpoints").at("/counts/completed").asLong();
    }

    String state() throws Exception {
        return flink.jobState(id);
    }

    void cancel() throws Exception {
        flink.cancel(id);
    }

    private void run(String... restore) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", "-d"));
        args.addAll(List.of(restore));
        args.addAll(List.of(jar, "--config", config.toString()));
        String output = flink.flink(args.toArray(String[]::new));
        Matcher job = JOB_ID.matcher(output);
        if (!job.find()) {
            throw new IllegalStateException("no job id in the output of flink run:\n" + output);
        }
        id = job.group(1);
        jobs++;
        flink.awaitRunning(id, Duration.ofSeconds(120));
    }

    private boolean allRunning() throws Exception {
        JsonNode job = flink.rest("jobs/" + id);
        boolean running = job.get("state").asText().equals("RUNNING");
        for (JsonNode vertex : job.get("vertices")) {
            running &= vertex.get("status").asText().equals("RUNNING");
        }
        return running;
    }

    /**
     * Times the job restarted so far: the failures in its exception history, each of which led to a
     * restart while the job kept running (the cluster keeps the whole history).
     */
    private long restarts() throws Exception {
        return flink.rest("jobs/" + id + "/exceptions").at("/exceptionHistory/entries").size();
    }

    private long failedCheckpoints() throws Exception {
        return flink.rest("jobs/" + id + "/checkpoints").at("/counts/failed").asLong();
    }
}
