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
 * Another release of the job whose per-key state code differs: the job's compiled classes with one
 * class of the {@code classify} package ({@link SequenceState} or its serializer) recompiled from
 * its source after an edit, packed as a user jar. Flink loads user jars child-first, so the job's
 * tasks see the edited class while the test sees the current one.
 */
final class SequenceStateVariant {

    private static final String PACKAGE = "io/rnnstream/stream/classify/";

    private SequenceStateVariant() {}

    /**
     * Writes the jar to {@code directory}; {@code edit} changes the source of {@code className}, a
     * top-level class of the {@code classify} package.
     */
    static Path jar(Path directory, String className, UnaryOperator<String> edit) throws Exception {
        Path original = Path.of("src/main/java").resolve(PACKAGE + className + ".java");
        String text = Files.readString(original);
        String edited = edit.apply(text);
        if (edited.equals(text)) {
            throw new IllegalArgumentException("the edit changed nothing in " + original);
        }
        String classFile = PACKAGE + className + ".class";
        Path sources = Files.createDirectories(directory.resolve("src"));
        Path classes = Files.createDirectories(directory.resolve("classes"));
        Path source = sources.resolve(className + ".java");
        Files.writeString(source, edited);
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        int status =
                compiler.run(
                        null,
                        null,
                        null,
                        "--release",
                        "17",
                        "-classpath",
                        System.getProperty("java.class.path"),
                        "-d",
                        classes.toString(),
                        source.toString());
        if (status != 0) {
            throw new IllegalStateException("the edited " + className + " does not compile");
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
                add(out, name, name.equals(classFile) ? classes.resolve(classFile) : path);
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
