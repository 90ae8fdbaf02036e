package io.rnnstream.stream.model;

import io.rnnstream.core.artifact.ArtifactException;
import io.rnnstream.core.artifact.ArtifactSource;
import io.rnnstream.core.artifact.BoundedReads;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Reads artifact files through Flink's FileSystem: local files, S3, GCS, HDFS, whatever is
 * configured.
 */
public final class FlinkFileSystemSource implements ArtifactSource {

    private final Path directory;

    public FlinkFileSystemSource(String uri) {
        this.directory = new Path(uri);
    }

    @Override
    public byte[] read(String fileName, int maxBytes) throws IOException {
        Path file = new Path(directory, fileName);
        FileSystem fs = file.getFileSystem();
        if (!fs.exists(file)) {
            throw new ArtifactException("artifact " + directory + " has no file " + fileName);
        }
        try (InputStream in = fs.open(file)) {
            return BoundedReads.readAtMost(in, maxBytes, file.toString());
        } catch (FileNotFoundException e) {
            throw new ArtifactException("artifact " + directory + " has no file " + fileName);
        }
    }

    @Override
    public String location() {
        return directory.toString();
    }
}
