package io.rnnstream.cli;

import java.net.URI;
import org.apache.flink.core.fs.FileSystem;

/**
 * Run in a child JVM by {@code FlinkPluginsTest}: loads the plugins as the CLI does, then asks for
 * a file system.
 */
final class FlinkPluginsProbe {

    private FlinkPluginsProbe() {}

    public static void main(String[] args) throws Exception {
        FlinkPlugins.initialize();
        FileSystem fs = FileSystem.get(URI.create(args[0]));
        System.out.println("file system for " + args[0] + ": " + fs.getClass().getName());
    }
}
