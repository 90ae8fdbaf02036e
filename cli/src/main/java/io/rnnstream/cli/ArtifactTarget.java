package io.rnnstream.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine;

/**
 * Where a training command writes its artifact: the model name (given, or from the data file's
 * name), the version and the directory, checked the same way by every command that trains.
 */
final class ArtifactTarget {

    private ArtifactTarget() {}

    /**
     * The model name for {@code --name} (or {@code data}'s name), after checking it, {@code
     * --version} and that {@code --out} does not exist yet.
     *
     * @throws CommandLine.ParameterException for a bad name or version (exit code 2)
     * @throws CliFailure when {@code out} exists: artifact versions are immutable
     */
    static String modelName(CommandLine command, String name, Path data, long version, Path out) {
        if (version < 1) {
            throw new CommandLine.ParameterException(
                    command, "--version must be >= 1, was " + version);
        }
        String modelName = name != null ? name : defaultName(data);
        if (!modelName.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
            throw new CommandLine.ParameterException(
                    command,
                    "--name must be 1-100 letters, digits, '.', '_' or '-', was '"
                            + modelName
                            + "'");
        }
        if (Files.exists(out)) {
            throw new CliFailure(out + " already exists; artifact versions are immutable");
        }
        return modelName;
    }

    /** {@code BasicMotions_TRAIN.ts} becomes {@code basicmotions}. */
    static String defaultName(Path data) {
        String stem = data.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = stem.lastIndexOf('.');
        if (dot > 0) {
            stem = stem.substring(0, dot);
        }
        stem = stem.replaceAll("[_-](train|training)$", "").replaceAll("[^a-z0-9._-]", "-");
        return stem.isEmpty() ? "model" : stem;
    }
}
