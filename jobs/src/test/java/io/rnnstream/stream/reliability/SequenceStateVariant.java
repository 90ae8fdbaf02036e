package io.rnnstream.stream.reliability;

import io.rnnstream.stream.classify.SequenceState;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * A later release of the job whose per-key state class differs: the job's compiled classes with
 * {@link SequenceState} recompiled from its source after an edit, packed as a user jar. Flink loads
 * user jars child-first, so the job's tasks see the edited class while the test sees the current
 * one.
 */
final class SequenceStateVariant {

    private static final String CLASS_FILE = "io/rnnstream/stream/classify/SequenceState.class";
    private static final Path SOURCE =
            Path.of("src/main/java/io/rnnstream/stream/classify/SequenceState.java");

    private SequenceStateVariant() {}

    /** Writes the jar to {@code directory}; {@code edit} changes SequenceState's source. */
    static Path jar(Path directory, UnaryOperator<String> edit) throws Exception {
        String original = Files.readString(SOURCE);
        String edited = edit.apply(original);
        if (edited.equals(original)) {
            throw new IllegalArgumentException("the edit changed nothing in " + SOURCE);
        }
        Path sources = Files.createDirectories(directory.resolve("src"));
        Path classes = Files.createDirectories(directory.resolve("classes"));
        Path source = sources.resolve("SequenceState.java");
        Files.writeString(source, edited);
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        int status =
                compiler.run(
                        null,
                        null,
                        null,
                        "--release",
                        "17",
                        "-d",
                        classes.toString(),
                        source.toString());
        if (status != 0) {
            throw new IllegalStateException("the edited SequenceState does not compile");
        }
        Path jobClasses =
                Path.of(
                        SequenceState.class
                                .getProtectionDomain()
                                .getCodeSource()
                                .getLocation()
                                .toURI());
        Path jar = directory.resolve("job-with-edited-state.jar");
        try (OutputStream file = Files.newOutputStream(jar);
                JarOutputStream out = new JarOutputStream(file);
                Stream<Path> walk = Files.walk(jobClasses.resolve("io/rnnstream/stream"))) {
            for (Path path : walk.filter(Files::isRegularFile).toList()) {
                String name = jobClasses.relativize(path).toString().replace('\\', '/');
                add(out, name, name.equals(CLASS_FILE) ? classes.resolve(CLASS_FILE) : path);
            }
        }
        return jar;
    }

    private static void add(JarOutputStream out, String name, Path file) throws IOException {
        out.putNextEntry(new JarEntry(name));
        Files.copy(file, out);
        out.closeEntry();
    }
}
