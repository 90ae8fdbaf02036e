package io.rnnstream.stream.config;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of rnnstream, as the build wrote it into {@code version.properties}. */
public final class RnnstreamVersion {

    private RnnstreamVersion() {}

    /** The version, or {@code unknown} when the resource is missing (classes outside a build). */
    public static String get() {
        Properties properties = new Properties();
        try (InputStream in = RnnstreamVersion.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            // fall through to "unknown"
        }
        return properties.getProperty("version", "unknown");
    }
}
