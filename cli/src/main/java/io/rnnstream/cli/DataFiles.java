package io.rnnstream.cli;

import io.rnnstream.core.data.DataFormat;
import io.rnnstream.core.data.Dataset;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Reads data files for the commands, turning I/O problems into one-line messages. */
final class DataFiles {

    private DataFiles() {}

    /**
     * Reads {@code path} in {@code format}. A malformed file fails with the reader's {@code
     * file:line: field: problem} message.
     */
    static Dataset read(Path path, DataFormat format) throws IOException {
        requireReadable(path);
        try {
            return format.read(path);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (IllegalArgumentException e) {
            // Dataset-level checks (e.g. mixed dimensions) carry no line number of their own.
            throw new CliFailure(path + ": " + e.getMessage());
        }
    }

    /**
     * {@code given}, or the format {@link DataFormat#detect} tells from the file; a file it cannot
     * tell is a usage error that names {@code option} and {@code --format}.
     */
    static DataFormat format(Path path, DataFormat given, String option) throws IOException {
        if (given != null) {
            return given;
        }
        requireReadable(path);
        try {
            return DataFormat.detect(path);
        } catch (IllegalArgumentException e) {
            throw new UsageFailure(
                    option + ": " + e.getMessage() + "; give --format ts, vader or jsonl");
        }
    }

    private static void requireReadable(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new CliFailure(
                    "data file "
                            + path
                            + (Files.exists(path) ? " is not a file" : " does not exist"));
        }
        if (!Files.isReadable(path)) {
            throw new CliFailure("data file " + path + " is not readable");
        }
    }

    /** SHA-256 of a file's bytes, streamed. */
    static String sha256(Path path) throws IOException {
        try (InputStream in =
                new DigestInputStream(
                        Files.newInputStream(path), MessageDigest.getInstance("SHA-256"))) {
            byte[] buffer = new byte[1 << 16];
            while (in.read(buffer) != -1) {
                // the digest sees every byte read
            }
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** Fails unless {@code dataset} has the input kind and dimension that {@code spec} takes. */
    static void checkCompatible(ModelSpec spec, String model, Dataset dataset, Path data) {
        if (spec.inputKind() != dataset.inputKind()) {
            throw new CliFailure(
                    model
                            + " takes "
                            + describe(spec.inputKind())
                            + " but "
                            + data
                            + " holds "
                            + describe(dataset.inputKind()));
        }
        if (spec.inputKind() == InputKind.FEATURES
                && spec.inputSize() != dataset.featureDimension()) {
            throw new CliFailure(
                    model
                            + " takes "
                            + spec.inputSize()
                            + " features per step but "
                            + data
                            + " has "
                            + dataset.featureDimension());
        }
    }

    private static String describe(InputKind kind) {
        return kind == InputKind.TOKENS ? "tokens" : "feature vectors";
    }
}
