package io.rnnstream.cli.plugin;

import java.net.URI;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.FileSystemFactory;
import org.apache.flink.core.fs.local.LocalFileSystem;

/**
 * A file system plugin for the scheme {@value #SCHEME}, packaged into a plugin jar by {@code
 * FlinkPluginsTest}. No services file names it on the test classpath, so only Flink's plugin
 * loading can find it, as it finds the S3 plugin in the image.
 */
public final class FakeSchemeFileSystemFactory implements FileSystemFactory {

    public static final String SCHEME = "rnnstream-plugin-test";

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public FileSystem create(URI fsUri) {
        return LocalFileSystem.getSharedInstance();
    }
}
