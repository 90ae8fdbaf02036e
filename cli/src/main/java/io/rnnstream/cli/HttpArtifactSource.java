package io.rnnstream.cli;

import io.rnnstream.core.artifact.ArtifactException;
import io.rnnstream.core.artifact.ArtifactSource;
import io.rnnstream.core.artifact.BoundedReads;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * An artifact directory served over HTTP(S): each file is read from {@code <base URL>/<file name>},
 * e.g. a release asset folder or a bucket's public URL. Nothing is trusted that the artifact's own
 * digests do not prove: {@code ModelArtifact.load} checks every file.
 */
final class HttpArtifactSource implements ArtifactSource {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final String base;
    private final HttpClient client;

    HttpArtifactSource(String url) {
        this.base = url.endsWith("/") ? url : url + "/";
        this.client =
                HttpClient.newBuilder()
                        .connectTimeout(TIMEOUT)
                        .followRedirects(HttpClient.Redirect.NORMAL)
                        .build();
    }

    static boolean handles(String location) {
        return location.startsWith("http://") || location.startsWith("https://");
    }

    @Override
    public byte[] read(String fileName, int maxBytes) throws IOException {
        URI file = URI.create(base).resolve(fileName);
        HttpRequest request = HttpRequest.newBuilder(file).timeout(TIMEOUT).GET().build();
        HttpResponse<InputStream> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading " + file, e);
        }
        try (InputStream body = response.body()) {
            if (response.statusCode() == 404) {
                throw new ArtifactException("artifact " + base + " has no file " + fileName);
            }
            if (response.statusCode() != 200) {
                throw new ArtifactException(
                        "reading " + file + " answered HTTP " + response.statusCode());
            }
            return BoundedReads.readAtMost(body, maxBytes, file.toString());
        }
    }

    @Override
    public String location() {
        return base;
    }
}
