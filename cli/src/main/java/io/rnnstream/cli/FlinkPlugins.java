package io.rnnstream.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.plugin.PluginUtils;

/**
 * Loads Flink's file system plugins (S3, GCS, Azure) for the commands that read or write model
 * stores, the way Flink's own processes do. The CLI is a plain JVM: without this, only the file
 * systems on its classpath (local files) would be found, and {@code s3://} stores would fail in a
 * retraining pod even with the plugin enabled by the image's entrypoint ({@code
 * ENABLE_BUILT_IN_PLUGINS} links {@code /opt/flink/opt/<plugin>.jar} into {@code
 * /opt/flink/plugins}).
 */
final class FlinkPlugins {

    /** The environment variable Flink's scripts use for the plugins directory. */
    static final String PLUGINS_DIR_ENV = "FLINK_PLUGINS_DIR";

    private FlinkPlugins() {}

    /**
     * Initializes Flink's file systems with the plugins under {@code $FLINK_PLUGINS_DIR} (the
     * image's launcher sets it to {@code /opt/flink/plugins}). Does nothing when the variable is
     * not set or the directory does not exist: a checkout has no plugins directory.
     */
    static void initialize() {
        String dir = System.getenv(PLUGINS_DIR_ENV);
        if (dir == null || dir.isBlank() || !Files.isDirectory(Path.of(dir))) {
            return;
        }
        // Credentials come from the environment (cloud identity, AWS_* variables): the plugins'
        // own settings (s3.endpoint, ...) are not read from a Flink configuration file here.
        Configuration configuration = new Configuration();
        FileSystem.initialize(
                configuration, PluginUtils.createPluginManagerFromRootFolder(configuration));
    }
}
