package io.rnnstream.core.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which OpenBLAS the training's matrix products run on: one installed on the machine, or the one
 * ND4J bundles, chosen with the system property {@value #PROPERTY} or the environment variable
 * {@value #ENVIRONMENT} (the property wins):
 *
 * <ul>
 *   <li>{@code auto}, the default: the machine's, as {@code system} finds it, where it has one; the
 *       bundled one elsewhere;
 *   <li>{@code bundled}: the OpenBLAS in ND4J's jars, the same on every machine;
 *   <li>{@code system}: {@code libopenblas.so.0} from the machine's library directories (Debian's
 *       and Ubuntu's {@code libopenblas0-pthread} package, and the usual places of other
 *       distributions), the library PyTorch and NumPy use on such a machine;
 *   <li>a path to a {@code libopenblas.so.0} file: that build.
 * </ul>
 *
 * <p>A build of OpenBLAS for the machine's distribution can be markedly faster than the bundled one
 * at the small products of a recurrent layer's steps, with the same kernels (model-core's README
 * has the measurement), hence the default. The arithmetic is the same up to the order of float
 * additions, so a model trained on either serves the same; {@code bundled} gives the same sums on
 * every machine of a CPU type.
 *
 * <p>JavaCPP picks the library when the OpenBLAS bindings first load, so the choice takes effect
 * only if it is made before anything in the process touched ND4J: the trainer's classes make it in
 * their static initializers (see {@link Nd4jSettings}). A {@code system} or path choice that cannot
 * be met fails with the places searched, rather than falling back unnoticed; {@link #loaded()} says
 * which library a process runs on.
 */
public final class OpenBlasLibrary {

    /** The system property naming the choice. */
    public static final String PROPERTY = "rnnstream.blas";

    /** The environment variable naming the choice, when the property is not set. */
    public static final String ENVIRONMENT = "RNNSTREAM_BLAS";

    static final String FILE_NAME = "libopenblas.so.0";

    /** Where distributions install OpenBLAS, pthread builds first, as Debian's alternatives do. */
    static final List<Path> SYSTEM_DIRECTORIES =
            List.of(
                    Path.of("/usr/lib/x86_64-linux-gnu/openblas-pthread"),
                    Path.of("/usr/lib/x86_64-linux-gnu/openblas-openmp"),
                    Path.of("/usr/lib/x86_64-linux-gnu"),
                    Path.of("/usr/lib/aarch64-linux-gnu/openblas-pthread"),
                    Path.of("/usr/lib/aarch64-linux-gnu/openblas-openmp"),
                    Path.of("/usr/lib/aarch64-linux-gnu"),
                    Path.of("/usr/lib64"),
                    Path.of("/usr/lib"));

    private static boolean applied;

    private OpenBlasLibrary() {}

    /** The choice made when the process names none. */
    static final String DEFAULT_CHOICE = "auto";

    /**
     * Applies the choice this process was started with, once; for code that loads the OpenBLAS
     * bindings itself rather than through the trainer.
     *
     * @throws IllegalStateException if the choice names no library that exists
     */
    public static synchronized void applyConfigured() {
        if (!applied) {
            apply(configured().orElse(DEFAULT_CHOICE));
            applied = true;
        }
    }

    /** The machine's {@value #FILE_NAME}, if it has one where {@code system} looks. */
    public static Optional<Path> systemLibrary() {
        return firstIn(SYSTEM_DIRECTORIES);
    }

    /** The choice this process was started with: the property, else the environment, else none. */
    static Optional<String> configured() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            value = System.getenv(ENVIRONMENT);
        }
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }

    /**
     * Points JavaCPP at the chosen library before the OpenBLAS bindings load; does nothing for
     * {@code bundled}, nor for {@code auto} on a machine without an OpenBLAS of its own.
     *
     * @throws IllegalStateException if the choice names no library that exists
     */
    static void apply(String choice) {
        Optional<Path> library = resolve(choice, SYSTEM_DIRECTORIES);
        if (library.isEmpty()) {
            return;
        }
        Path directory = library.get().getParent();
        // JavaCPP loads the library named by these properties instead of the bundled one, and
        // with pathsFirst looks in java.library.path before its jars.
        System.setProperty("org.bytedeco.openblas.load", "openblas");
        System.setProperty("org.bytedeco.openblas_nolapack.load", "openblas");
        System.setProperty("org.bytedeco.javacpp.pathsFirst", "true");
        String path = System.getProperty("java.library.path", "");
        System.setProperty(
                "java.library.path",
                path.isEmpty()
                        ? directory.toString()
                        : directory + java.io.File.pathSeparator + path);
    }

    /**
     * The library file a choice names: empty for {@code bundled}, the first {@value #FILE_NAME} in
     * {@code directories} for {@code system}, that or empty (none there) for {@code auto}, else the
     * path given.
     *
     * @throws IllegalStateException if {@code system} finds no library, the path is no file, or the
     *     choice is none of these
     */
    static Optional<Path> resolve(String choice, List<Path> directories) {
        String lower = choice.toLowerCase(Locale.ROOT);
        if (lower.equals("bundled")) {
            return Optional.empty();
        }
        if (lower.equals(DEFAULT_CHOICE)) {
            return firstIn(directories);
        }
        if (lower.equals("system")) {
            Optional<Path> found = firstIn(directories);
            if (found.isPresent()) {
                return found;
            }
            throw new IllegalStateException(
                    PROPERTY
                            + "=system: no "
                            + FILE_NAME
                            + " in "
                            + directories
                            + "; install the distribution's OpenBLAS (Debian and Ubuntu:"
                            + " libopenblas0-pthread), name the file, or choose bundled");
        }
        if (!choice.contains("/")) {
            throw new IllegalStateException(
                    PROPERTY
                            + "="
                            + choice
                            + ": expected auto, bundled, system, or the path of a "
                            + FILE_NAME);
        }
        Path file = Path.of(choice);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(PROPERTY + "=" + choice + ": no such file");
        }
        if (!file.getFileName().toString().equals(FILE_NAME)) {
            // JavaCPP finds the library by its name in the directory, not by the path.
            throw new IllegalStateException(
                    PROPERTY + "=" + choice + ": the file must be named " + FILE_NAME);
        }
        return Optional.of(file.toAbsolutePath());
    }

    private static Optional<Path> firstIn(List<Path> directories) {
        for (Path directory : directories) {
            Path candidate = directory.resolve(FILE_NAME);
            if (Files.isRegularFile(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * The OpenBLAS files mapped into this process, from {@code /proc/self/maps}: what the products
     * actually run on, for reports and logs. Empty where the map cannot be read.
     */
    public static List<String> loaded() {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return List.of();
        }
        List<String> files = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(maps)) {
                int slash = line.indexOf('/');
                if (slash < 0) {
                    continue;
                }
                String file = line.substring(slash);
                String name = Path.of(file).getFileName().toString();
                if (name.startsWith("libopenblas") && !files.contains(file)) {
                    files.add(file);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }
}
