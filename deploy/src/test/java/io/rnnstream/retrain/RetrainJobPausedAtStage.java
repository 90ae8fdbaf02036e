package io.rnnstream.retrain;

import io.rnnstream.stream.config.Settings;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Test seam, not a shipped entry point: runs the retraining job as {@link RetrainJob#main} does,
 * but stops at one publication stage so that a test can kill the JVM (SIGKILL) at exactly that
 * point. At the stage it writes a marker file, holding the stage's detail (the file staged, the
 * version's URI), and then waits until it is killed.
 *
 * <p>Usage: {@code java -cp <retrain job jar>:<Flink>:<this class> io.rnnstream.retrain.
 * RetrainJobPausedAtStage STAGE MARKER_FILE --config FILE}, with {@code STAGE} a {@link
 * ModelStore.Stage}; {@code FILE_STAGED} stops after the first file is staged.
 *
 * <p>It lives in the deploy module's test sources, in the retraining job's package, because the
 * job's publication listener is package-private: the shipped job has no pause hook at all, and this
 * class never reaches a jar that ships.
 */
public final class RetrainJobPausedAtStage {

    private RetrainJobPausedAtStage() {}

    public static void main(String[] args) throws Exception {
        ModelStore.Stage pauseAt = ModelStore.Stage.valueOf(args[0]);
        Path marker = Path.of(args[1]);
        RetrainConfig config =
                RetrainConfig.fromMap(
                        Settings.fromJobArguments(Arrays.copyOfRange(args, 2, args.length)));
        new RetrainJob(
                        config,
                        epoch -> {},
                        (stage, detail) -> {
                            if (stage == pauseAt) {
                                pause(marker, detail);
                            }
                        })
                .run(
                        StreamExecutionEnvironment.getExecutionEnvironment(
                                RetrainJob.flinkConfiguration()));
        throw new IllegalStateException("the run finished without reaching " + pauseAt);
    }

    /** Writes the marker in one step (the test must never read half of it), then waits. */
    private static void pause(Path marker, String detail) throws IOException {
        Path written = marker.resolveSibling(marker.getFileName() + ".tmp");
        Files.writeString(written, detail, StandardCharsets.UTF_8);
        Files.move(written, marker, StandardCopyOption.ATOMIC_MOVE);
        try {
            Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while paused at a publication stage");
        }
    }
}
