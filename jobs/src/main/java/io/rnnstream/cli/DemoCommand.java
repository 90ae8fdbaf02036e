package io.rnnstream.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The first thing a new user runs: trains an LSTM on the BasicMotions data the repository ships and
 * evaluates it on the held-out test file through the serving path.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Trains an LSTM with the default options on the shipped BasicMotions training set"
                    + " (about 3 minutes on 2 cores), writes the model artifact and evaluates it"
                    + " on the BasicMotions test set.",
            "The streaming demo on an embedded broker is not part of this version."
        })
final class DemoCommand implements Callable<Integer> {

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Where to write the model (default: models/demo-<time>).")
    Path out;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Path data = dataDirectory().resolve("basicmotions");
        Path model =
                out != null
                        ? out
                        : Path.of(
                                "models",
                                "demo-"
                                        + LocalDateTime.now()
                                                .format(
                                                        DateTimeFormatter.ofPattern(
                                                                "yyyyMMdd-HHmmss")));
        String[] train = {
            "train",
            "--data",
            data.resolve("BasicMotions_TRAIN.ts").toString(),
            "--test",
            data.resolve("BasicMotions_TEST.ts").toString(),
            "--name",
            "basicmotions",
            "--out",
            model.toString()
        };
        int code =
                Rnnstream.commandLine(spec.commandLine().getOut(), spec.commandLine().getErr())
                        .execute(train);
        if (code != 0) {
            return code;
        }
        return Rnnstream.commandLine(spec.commandLine().getOut(), spec.commandLine().getErr())
                .execute(
                        "evaluate",
                        "--model",
                        model.toString(),
                        "--data",
                        data.resolve("BasicMotions_TEST.ts").toString());
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
