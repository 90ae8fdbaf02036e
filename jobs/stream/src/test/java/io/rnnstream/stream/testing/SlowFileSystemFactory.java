package io.rnnstream.stream.testing;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.FileSystemFactory;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.fs.local.LocalFileSystem;

/**
 * A slow artifact store: the scheme {@value #SCHEME} reads local files (the path of {@code
 * rnnstream-slow:///tmp/m} is {@code /tmp/m}), but opening a model manifest takes {@link #DELAY},
 * as a remote store can. Each load of an artifact opens its manifest once, so each load waits that
 * long. Registered for the tests by the services file {@code
 * META-INF/services/org.apache.flink.core.fs.FileSystemFactory} on the test classpath, which
 * Flink's FileSystem reads when it first initializes.
 */
public final class SlowFileSystemFactory implements FileSystemFactory {

    public static final String SCHEME = "rnnstream-slow";

    /** How long opening a manifest takes. */
    public static final Duration DELAY = Duration.ofSeconds(3);

    /** The URI of a local directory in this store. */
    public static String uri(java.nio.file.Path directory) {
        return SCHEME + "://" + directory.toAbsolutePath().toUri().getPath();
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public FileSystem create(URI fsUri) {
        return new SlowFileSystem();
    }

    private static final class SlowFileSystem extends LocalFileSystem {

        @Override
        public FSDataInputStream open(Path file) throws IOException {
            if (file.getName().equals("manifest.json")) {
                try {
                    Thread.sleep(DELAY.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while opening " + file, e);
                }
            }
            return super.open(file);
        }

        @Override
        public URI getUri() {
            return URI.create(SCHEME + ":///");
        }
    }
}
