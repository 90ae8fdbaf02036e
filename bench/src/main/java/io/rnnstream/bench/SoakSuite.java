package io.rnnstream.bench;

import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.data.TsReader;
import io.rnnstream.testkit.KafkaBroker;
import io.rnnstream.testkit.StreamTestJob;
import io.rnnstream.testkit.TestModels;
import io.rnnstream.testkit.cluster.StandaloneFlinkCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The soak (issue 20, item 4): the shipped stream job jar on a standalone Flink cluster of separate
 * JVMs, reading a broker in its own JVM, under a steady load over many keys for the given minutes,
 * with faults at moments drawn from a seeded random generator ({@link SoakSchedule}): a TaskManager
 * killed with SIGKILL and replaced, the broker killed with SIGKILL and restarted on its port and
 * log directory, the job stopped with a savepoint and resumed from it, and a new model version
 * announced. At the end the load stops, every sequence in progress is finished, event time is
 * released, and every committed result (read_committed) is compared with the offline replay ({@link
 * SoakCheck}): any lost, duplicated, mismatched or unexpected result, any send the broker refused,
 * or any fault the job did not recover from within {@link #RECOVERY_BOUND} fails the run (exit code
 * 1, and the report says so).
 *
 * <p>Arguments: {@code --minutes M --job-jar JAR [--out DIR] [--data DIR] [--seed S] [--rate
 * EVENTS_PER_S] [--keys N] [--faults N] [--job-settings key=value,...]}; writes {@code
 * soak-<M>min.json} and {@code .md}.
 */
public final class SoakSuite {

    /** A fault not recovered from within this fails the run. */
    static final Duration RECOVERY_BOUND = Duration.ofMinutes(5);

    /** How long the broker stays down: longer than the clients' request timeout (5 s). */
    static final Duration BROKER_OUTAGE = Duration.ofSeconds(12);

    /**
     * Events sent while the broker is down or the job is away reach it late while event time
     * followed the wall clock; this out-of-orderness keeps them on time.
     */
    static final Duration ALLOWANCE = Duration.ofSeconds(60);

    /** No fault in the load's first minute; none in its last 90 s, so recoveries show. */
    private static final double QUIET_START = 60;

    private static final double QUIET_END = 90;
    private static final int EVENT_PARTITIONS = 2;
    private static final String PREFIX = "soak";

    private SoakSuite() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = Arguments.parse(args);
        SoakSettings settings = SoakSettings.from(options);
        Dataset vowels =
                TsReader.read(
                        Path.of(options.getOrDefault("data", "data"))
                                .resolve("japanesevowels/JapaneseVowels_TEST.ts"));
        Path out = Path.of(options.getOrDefault("out", "bench/results"));
        boolean passed = new SoakSuite.Run(settings, vowels).run(out);
        System.exit(passed ? 0 : 1);
    }

    /** One soak run: its broker, cluster, job, load and the faults as they happened. */
    private static final class Run {
        private final SoakSettings settings;
        private final Dataset vowels;
        private final ResultFiles report;
        private final List<Map<String, Object>> faults = new ArrayList<>();
        private final List<Double> loadSamples = new ArrayList<>();
        private Path work;
        private KafkaBroker kafka;
        private StandaloneFlinkCluster flink;
        private SoakJob job;
        private SoakResults results;
        private SoakModels models;
        private long loadStartNanos;

        Run(SoakSettings settings, Dataset vowels) {
            this.settings = settings;
            this.vowels = vowels;
            this.report = ResultFiles.begin(settings.minutes() + "min");
        }

        boolean run(Path out) throws Exception {
            work = Files.createTempDirectory("rnnstream-soak-");
            System.out.println("soak work directory: " + work);
            ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
            sampler.scheduleAtFixedRate(
                    () -> {
                        synchronized (loadSamples) {
                            loadSamples.add(MachineInfo.loadAverage());
                        }
                    },
                    0,
                    30,
                    TimeUnit.SECONDS);
            boolean passed = false;
            try {
                passed = soak(out);
                return passed;
            } finally {
                sampler.shutdownNow();
                close();
                if (passed) {
                    deleteRecursively(work);
                } else {
                    System.out.println("kept for inspection (logs, checkpoints): " + work);
                }
            }
        }

        private boolean soak(Path out) throws Exception {
            kafka = KafkaBroker.inItsOwnProcess();
            kafka.start();
            StreamTestJob.createTopics(kafka, PREFIX);
            models = new SoakModels(work.resolve("models"), vowels, settings.seed());
            TestModels.Written first = models.first();
            flink =
                    StandaloneFlinkCluster.start(
                            work.resolve("flink"),
                            2,
                            Duration.ofSeconds(120),
                            Map.of(
                                    // Every fault restarts the job at least once; the soak must
                                    // not use up the strategy.
                                    "restart-strategy.fixed-delay.attempts",
                                    "1000",
                                    "execution.checkpointing.timeout",
                                    "30 s",
                                    // The restarts are counted in the exception history.
                                    "web.exception-history-size",
                                    "10000"));
            Map<String, String> jobSettings =
                    StreamTestJob.settings(
                            kafka,
                            PREFIX,
                            Map.of(
                                    "model.initial.uri",
                                    first.announcement().uri(),
                                    "checkpoint.interval",
                                    "2 s",
                                    "events.max-out-of-orderness",
                                    ALLOWANCE.toSeconds() + " s",
                                    "kafka.request.timeout.ms",
                                    "5000"));
            jobSettings.putAll(settings.jobSettings());
            results =
                    new SoakResults(
                            kafka.bootstrapServers(),
                            PREFIX + "-results",
                            first.classifier().spec().labels());
            job = SoakJob.submit(flink, settings.jobJar(), jobSettings, work);
            List<SoakSchedule.Planned> plan =
                    SoakSchedule.plan(
                            settings.seed(),
                            settings.faults(),
                            settings.minutes() * 60.0,
                            QUIET_START,
                            QUIET_END);
            System.out.println("fault schedule (seed " + settings.seed() + "): " + plan);

            SoakLoad load =
                    new SoakLoad(
                            kafka,
                            PREFIX + "-events",
                            vowels.sequences(),
                            settings.keys(),
                            settings.eventsPerSecond(),
                            settings.seed());
            try (load) {
                loadStartNanos = System.nanoTime();
                load.start();
                SoakFaults strikes =
                        new SoakFaults(
                                kafka,
                                flink,
                                job,
                                load,
                                models,
                                PREFIX + "-models",
                                this::secondsOfLoad);
                double lastRecovered = 0;
                for (SoakSchedule.Planned planned : plan) {
                    sleepUntil(planned.atSecond());
                    Map<String, Object> fault = strikes.strike(planned);
                    faults.add(fault);
                    lastRecovered = secondsOfLoad();
                    System.out.println("fault: " + fault);
                }
                // The last fault's recovery must show in the results before the load stops.
                sleepUntil(Math.max(settings.minutes() * 60.0, lastRecovered + QUIET_END));
                load.stop();
                double loadSeconds = secondsOfLoad();
                load.releaseEventTime(EVENT_PARTITIONS, ALLOWANCE.plusSeconds(30));
                List<SoakLoad.Sent> sent = load.sent();
                System.out.printf(
                        "load stopped after %.0f s: %d events, %d sequences; draining%n",
                        loadSeconds, load.events(), sent.size());
                Duration drain =
                        results.awaitAtLeast(
                                sent.size(), Duration.ofMinutes(3), Duration.ofSeconds(15));
                return verdict(out, load, sent, loadSeconds, drain);
            }
        }

        private boolean verdict(
                Path out,
                SoakLoad load,
                List<SoakLoad.Sent> sent,
                double loadSeconds,
                Duration drain)
                throws Exception {
            SoakCheck.Counts counts =
                    new SoakCheck(vowels.sequences(), models.versions())
                            .compare(sent, results.all());
            for (Map<String, Object> fault : faults) {
                fault.putAll(
                        SoakCheck.inProgressAt(sent, counts, (Long) fault.get("startedAtMillis")));
                if (fault.get("kind").equals(SoakSchedule.Kind.MODEL_SWAP.name())) {
                    long version = (Long) fault.get("version");
                    Long seen = results.firstSeen(version);
                    fault.put("recovered", seen != null);
                    fault.put(
                            "recoverySeconds",
                            seen == null
                                    ? null
                                    : round((seen - models.announcedNanos(version)) / 1e9));
                }
            }
            boolean allRecovered = faults.stream().allMatch(f -> (Boolean) f.get("recovered"));
            boolean passed = counts.exact() && allRecovered && load.sendFailures() == 0;

            report.put("passed", passed);
            report.put("settings", settings.describe());
            report.put("faultSchedule", faults);
            Map<String, Object> verdict = new LinkedHashMap<>();
            verdict.put("expected", counts.expected());
            verdict.put("received", counts.received());
            verdict.put("lost", counts.lost());
            verdict.put("duplicated", counts.duplicated());
            verdict.put("mismatched", counts.mismatched());
            verdict.put("unexpected", counts.unexpected());
            verdict.put("resultsByVersion", counts.resultsByVersion());
            verdict.put("examples", counts.examples());
            report.put("verdict", verdict);
            Map<String, Object> producer = new LinkedHashMap<>();
            producer.put("loadSeconds", round(loadSeconds));
            producer.put("events", load.events());
            producer.put("steadyEvents", load.steadyEvents());
            producer.put("eventsPerSecondAchieved", round(load.steadyEvents() / loadSeconds));
            producer.put("sequences", sent.size());
            producer.put("sendFailures", load.sendFailures());
            producer.put(
                    "firstSendFailure",
                    load.firstFailure() == null ? null : load.firstFailure().toString());
            producer.put("drainSeconds", round(drain.toMillis() / 1e3));
            report.put("load", producer);
            Map<String, Object> flinkCounters = new LinkedHashMap<>();
            flinkCounters.put("jobs", job.jobs());
            flinkCounters.put("restarts", job.totalRestarts());
            flinkCounters.put("failedCheckpoints", job.totalFailedCheckpoints());
            flinkCounters.put("completedCheckpointsOfLastJob", job.completedCheckpoints());
            flinkCounters.put("lastJobState", job.state());
            report.put("flink", flinkCounters);
            synchronized (loadSamples) {
                report.put(
                        "loadAverage1mDuringRun",
                        Map.of(
                                "max",
                                loadSamples.stream().mapToDouble(d -> d).max().orElse(-1),
                                "mean",
                                round(
                                        loadSamples.stream()
                                                .mapToDouble(d -> d)
                                                .average()
                                                .orElse(-1)),
                                "samples",
                                loadSamples.size()));
            }
            Path json = report.write(out, "soak", SoakReport::render);
            System.out.println((passed ? "PASSED" : "FAILED") + ": " + verdict);
            System.out.println("report: " + json);
            return passed;
        }

        private double secondsOfLoad() {
            return (System.nanoTime() - loadStartNanos) / 1e9;
        }

        private void sleepUntil(double second) throws InterruptedException {
            long wait = (long) ((second - secondsOfLoad()) * 1000);
            if (wait > 0) {
                Thread.sleep(wait);
            }
        }

        private void close() {
            try {
                if (job != null) {
                    job.cancel();
                }
            } catch (Exception e) {
                System.err.println("cancelling the job: " + e);
            }
            try {
                if (results != null) {
                    results.close();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (flink != null) {
                flink.close();
            }
            try {
                if (kafka != null) {
                    kafka.stop();
                }
            } catch (Exception e) {
                System.err.println("stopping the broker: " + e);
            }
        }
    }

    private static void deleteRecursively(Path directory) throws java.io.IOException {
        try (java.util.stream.Stream<Path> files = Files.walk(directory)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .map(Path::toFile)
                    .forEach(java.io.File::delete);
        }
    }

    /** To a tenth, as the report shows figures. */
    static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }
}
