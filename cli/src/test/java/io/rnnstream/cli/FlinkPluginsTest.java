package io.rnnstream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.cli.plugin.FakeSchemeFileSystemFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line finds Flink file systems that are plugins, as the retraining CronJob and the
 * bootstrap hook need for {@code s3://} model stores: a plugin jar under {@code
 * $FLINK_PLUGINS_DIR/<name>/} (where the image's entrypoint links the plugins that
 * ENABLE_BUILT_IN_PLUGINS names) is loaded, and without the variable it is not. Each case runs in
 * its own JVM, since Flink's file systems are initialized once per JVM.
 */
class FlinkPluginsTest {

    private static final String URI = FakeSchemeFileSystemFactory.SCHEME + ":///tmp";

    @TempDir Path dir;

    @Test
    void aFileSystemPluginInThePluginsDirectoryIsLoaded() throws Exception {
        Path plugins = dir.resolve("plugins");
        writePluginJar(plugins.resolve("rnnstream-plugin-test").resolve("fake-fs.jar"));
        Probe probe = probe(plugins);
        assertThat(probe.exitCode()).as(probe.output()).isZero();
        assertThat(probe.output()).contains("file system for " + URI + ": ");
    }

    @Test
    void withoutThePluginsDirectoryTheSchemeIsUnknown() throws Exception {
        Probe probe = probe(null);
        assertThat(probe.exitCode()).isNotZero();
        assertThat(probe.output())
                .contains("UnsupportedFileSystemSchemeException")
                .contains(FakeSchemeFileSystemFactory.SCHEME);
    }

    private record Probe(int exitCode, String output) {}

    private static Probe probe(Path pluginsDir) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(
                System.getProperty(
                        "surefire.test.class.path", System.getProperty("java.class.path")));
        command.add(FlinkPluginsProbe.class.getName());
        command.add(URI);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().remove(FlinkPlugins.PLUGINS_DIR_ENV);
        if (pluginsDir != null) {
            builder.environment().put(FlinkPlugins.PLUGINS_DIR_ENV, pluginsDir.toString());
        }
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the probe did not finish within 60 s: " + output);
        }
        return new Probe(process.exitValue(), output);
    }

    /** A plugin jar: the factory class and the services file that names it. */
    private static void writePluginJar(Path jar) throws IOException {
        Files.createDirectories(jar.getParent());
        String classFile = FakeSchemeFileSystemFactory.class.getName().replace('.', '/') + ".class";
        try (OutputStream file = Files.newOutputStream(jar);
                JarOutputStream out = new JarOutputStream(file);
                InputStream bytes =
                        FlinkPluginsTest.class.getClassLoader().getResourceAsStream(classFile)) {
            out.putNextEntry(new JarEntry(classFile));
            bytes.transferTo(out);
            out.closeEntry();
            out.putNextEntry(
                    new JarEntry("META-INF/services/org.apache.flink.core.fs.FileSystemFactory"));
            out.write(
                    (FakeSchemeFileSystemFactory.class.getName() + "\n")
                            .getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
    }
}
