package io.rnnstream.cli;

import io.rnnstream.demo.DemoException;
import io.rnnstream.demo.DemoListener;
import io.rnnstream.demo.DemoPlan;
import io.rnnstream.demo.DemoRunner;
import io.rnnstream.demo.DemoSummary;
import io.rnnstream.demo.SavedSummary;
import io.rnnstream.demo.report.HtmlReport;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The first thing a new user runs: the whole system on one machine, with a real Kafka broker and a
 * local Flink runtime in this JVM, two models, a retraining round, a summary and an HTML report.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Runs rnnstream end to end in this JVM: starts a real Kafka broker and a local Flink"
                    + " runtime, trains two models (BasicMotions actions per device, VADER movie"
                    + " snippet sentiment per conversation), streams held-out sequences of many"
                    + " keys interleaved through Kafka into the streaming classifier, sends a few"
                    + " broken records on purpose, retrains the motion model from labelled events in"
                    + " Kafka while the stream runs, and stops by itself. A small character language"
                    + " model, trained first on this repository's Java sources, is served by the"
                    + " same job: a few keys send lines of code and get each line's surprise, the"
                    + " likely next characters and a continuation.",
            "Prints a summary (streamed vs offline accuracy, events/s, latency, dead letters,"
                    + " model versions) and writes summary.json and report.html to --out. Library"
                    + " and job logs reach the console only at WARN and above; the full log (INFO)"
                    + " is written to demo.log in --out.",
            "Exit code 0 when streamed and offline classifications and predictions agree and no"
                    + " unexpected dead letter appeared, 1 otherwise."
        })
final class DemoCommand implements Callable<Integer> {

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Where to write models, summary and report (default: demo-<time>).")
    Path out;

    @Option(
            names = "--quick",
            description =
                    "Reduced run (tiny models, fewer sequences; about a minute), as CI runs it.")
    boolean quick;

    @Option(
            names = "--rate",
            paramLabel = "EVENTS_PER_S",
            defaultValue = "4000",
            description =
                    "Send at most this many events per second; 0: as fast as possible"
                            + " (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(
            names = "--report-from",
            paramLabel = "DIR",
            description =
                    "Do not run the demo: draw DIR/report.html again from DIR/summary.json of an"
                            + " earlier run.")
    Path reportFrom;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (reportFrom != null) {
            return redrawReport();
        }
        if (rate < 0) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(), "--rate: must be >= 0, was " + rate);
        }
        Path target =
                out != null
                        ? out
                        : Path.of(
                                "demo-"
                                        + LocalDateTime.now()
                                                .format(
                                                        DateTimeFormatter.ofPattern(
                                                                "yyyyMMdd-HHmmss")));
        if (Files.exists(target.resolve("models"))) {
            throw new CliFailure(target + " already holds a demo run; choose another --out");
        }
        Path data = dataDirectory();
        DemoPlan plan =
                quick ? DemoPlan.quick(data, target, rate) : DemoPlan.full(data, target, rate);
        PrintWriter stdout = spec.commandLine().getOut();
        Files.createDirectories(target);
        DemoSummary summary;
        try (DemoLogging logging = DemoLogging.to(target.resolve("demo.log"));
                Progress progress = new Progress(stdout, System.console() != null)) {
            stdout.println(
                    "full log of the libraries and jobs: " + logging.file().toAbsolutePath());
            summary = new DemoRunner(plan, progress).run();
        } catch (DemoException e) {
            throw new CliFailure("demo: " + e.getMessage());
        }
        Path report = target.resolve("report.html");
        HtmlReport.write(summary, report);
        SavedSummary.write(summary, target.resolve("summary.json"));
        stdout.println();
        stdout.print(summary.text());
        stdout.println("  report: " + report.toAbsolutePath());
        stdout.flush();
        boolean agree = summary.useCases().stream().allMatch(u -> u.agreeing() == u.sequences());
        boolean languageModelAgrees =
                summary.languageModel() == null || summary.languageModel().agrees();
        return agree && languageModelAgrees && summary.unexpectedDeadLetters().isEmpty()
                ? 0
                : Rnnstream.EXIT_FAILURE;
    }

    /** Draws the report of an earlier run again from its summary.json. */
    private int redrawReport() throws java.io.IOException {
        DemoSummary summary;
        try {
            summary = SavedSummary.read(reportFrom.resolve("summary.json"));
        } catch (DemoException e) {
            throw new CliFailure("demo: " + e.getMessage());
        }
        Path report = reportFrom.resolve("report.html");
        HtmlReport.write(summary, report);
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.println("report: " + report.toAbsolutePath());
        stdout.flush();
        return 0;
    }

    /** Stages and live classifications on stdout, the progress bar on stderr (terminals only). */
    private static final class Progress implements DemoListener, AutoCloseable {

        private final PrintWriter out;
        private final boolean bar;
        private final long started = System.nanoTime();
        private ProgressBar progressBar;

        Progress(PrintWriter out, boolean bar) {
            this.out = out;
            this.bar = bar;
        }

        @Override
        public synchronized void stage(String description) {
            out.printf("[%5.1f s] %s%n", (System.nanoTime() - started) / 1e9, description);
            out.flush();
        }

        @Override
        public synchronized void progress(long done, long total, String detail) {
            if (!bar) {
                return;
            }
            if (progressBar == null) {
                progressBar =
                        new ProgressBarBuilder()
                                .setTaskName("classified")
                                .setInitialMax(total)
                                .setStyle(ProgressBarStyle.ASCII)
                                .setConsumer(new ConsoleProgressBarConsumer(System.err))
                                .setUpdateIntervalMillis(300)
                                .build();
            }
            progressBar.stepTo(done);
            progressBar.setExtraMessage(detail);
        }

        @Override
        public synchronized void live(String line) {
            out.println(line);
            out.flush();
        }

        @Override
        public synchronized void close() {
            if (progressBar != null) {
                progressBar.close();
            }
        }
    }

    /**
     * The repository's data/ directory: from -Drnnstream.home (set by the launcher) or the working
     * directory up.
     */
    static Path dataDirectory() {
        String home = System.getProperty("rnnstream.home");
        if (home != null && Files.isDirectory(Path.of(home, "data"))) {
            return Path.of(home, "data");
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("data").resolve("basicmotions"))) {
                return dir.resolve("data");
            }
        }
        throw new CliFailure(
                "cannot find the shipped data/ directory; run from the repository or set -Drnnstream.home");
    }
}
