package io.rnnstream.retrain;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * The model store: one directory per model version, {@code <store>/<name>/<version>}, on any Flink
 * FileSystem. A version is first written to a hidden staging directory and then renamed into place,
 * so a reader never sees a half-written version under a version's name. The model topic, not the
 * store, says which version is in service: a version is announced only after it is complete, and
 * the streaming job verifies every file against the announced digest before parsing it, so a store
 * whose rename is not atomic (object stores) still never serves a partial version.
 */
final class ModelStore {

    static final String STAGING_PREFIX = ".staging-";

    /** Publication steps, reported to a {@link StageListener}. */
    enum Stage {
        /** One file of the version is in the staging directory (reported once per file). */
        FILE_STAGED,
        /** Every file is staged; the version is not yet under its name. */
        STAGED,
        /** The staging directory is the version's directory; nothing announces it yet. */
        RENAMED,
        /**
         * The model topic acknowledged the announcement (reported by the retraining job after
         * {@link #publish}); the run's report is not written yet.
         */
        ANNOUNCED
    }

    /** Observes publication; tests use it to crash the publisher at a chosen step. */
    interface StageListener {
        void reached(Stage stage, String detail) throws IOException;
    }

    private final Path root;
    private final StageListener listener;

    ModelStore(String store, String modelName, StageListener listener) {
        this.root = new Path(new Path(store), modelName);
        this.listener = listener;
    }

    /** The URI of {@code version} in the store, whether it exists or not. */
    String versionUri(long version) throws IOException {
        Path target = new Path(root, Long.toString(version));
        return target.makeQualified(target.getFileSystem()).toUri().toString();
    }

    /** Whether the store holds {@code version} (complete: only renamed staging has the name). */
    boolean holds(long version) throws IOException {
        Path target = new Path(root, Long.toString(version));
        return target.getFileSystem().exists(target);
    }

    /**
     * Where a run's report goes in the store: {@code <store>/<name>/reports/<UTC time>-<decision>},
     * plus {@code -v<version>} when a candidate was trained. The reports directory sits beside the
     * version directories; its name is not a number, so it is never taken for a version.
     */
    static String reportUri(String store, String modelName, RetrainReport report) {
        String time =
                java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
                        .withZone(java.time.ZoneOffset.UTC)
                        .format(java.time.Instant.now());
        Object candidate = report.get("candidateVersion");
        String name =
                time
                        + "-"
                        + report.decision().code()
                        + (candidate == null ? "" : "-v" + candidate)
                        + ".json";
        return new Path(new Path(new Path(store), modelName), "reports/" + name).toString();
    }

    /** Writes a report file into the store; an existing file of that name is never replaced. */
    static void writeReport(String uri, byte[] json) throws IOException {
        Path file = new Path(uri);
        FileSystem fs = file.getFileSystem();
        fs.mkdirs(file.getParent());
        try (OutputStream out = fs.create(file, FileSystem.WriteMode.NO_OVERWRITE)) {
            out.write(json);
        }
    }

    /** The highest complete version in the store, or 0. */
    long highestVersion() throws IOException {
        FileSystem fs = root.getFileSystem();
        if (!fs.exists(root)) {
            return 0;
        }
        long highest = 0;
        FileStatus[] entries = fs.listStatus(root);
        for (FileStatus entry : entries == null ? new FileStatus[0] : entries) {
            String name = entry.getPath().getName();
            if (entry.isDir() && name.matches("[1-9][0-9]{0,17}")) {
                highest = Math.max(highest, Long.parseLong(name));
            }
        }
        return highest;
    }

    /**
     * Removes staging directories that a crashed run left behind. Only one run per model may be
     * active at a time (the Kubernetes CronJob forbids concurrent runs).
     */
    List<String> removeAbandonedStaging() throws IOException {
        FileSystem fs = root.getFileSystem();
        if (!fs.exists(root)) {
            return List.of();
        }
        FileStatus[] entries = fs.listStatus(root);
        List<String> removed = new java.util.ArrayList<>();
        for (FileStatus entry : entries == null ? new FileStatus[0] : entries) {
            if (entry.getPath().getName().startsWith(STAGING_PREFIX)) {
                fs.delete(entry.getPath(), true);
                removed.add(entry.getPath().toString());
            }
        }
        return removed;
    }

    /**
     * Copies the artifact directory {@code local} into the store as {@code version}.
     *
     * @return the URI of the published version
     */
    String publish(java.nio.file.Path local, long version) throws IOException {
        FileSystem fs = root.getFileSystem();
        Path target = new Path(root, Long.toString(version));
        if (fs.exists(target)) {
            throw new RetrainException(
                    "the model store already holds " + target + "; versions are immutable");
        }
        Path staging = new Path(root, STAGING_PREFIX + version + "-" + UUID.randomUUID());
        fs.mkdirs(staging);
        List<java.nio.file.Path> files;
        try (Stream<java.nio.file.Path> listing = Files.list(local)) {
            files = listing.sorted().toList();
        }
        for (java.nio.file.Path file : files) {
            try (OutputStream out =
                    fs.create(
                            new Path(staging, file.getFileName().toString()),
                            FileSystem.WriteMode.NO_OVERWRITE)) {
                Files.copy(file, out);
            }
            listener.reached(Stage.FILE_STAGED, file.getFileName().toString());
        }
        listener.reached(Stage.STAGED, staging.toString());
        if (!fs.rename(staging, target)) {
            throw new RetrainException("could not rename " + staging + " to " + target);
        }
        listener.reached(Stage.RENAMED, target.toString());
        return target.makeQualified(fs).toUri().toString();
    }
}
