package io.rnnstream.deploy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

/**
 * The shipped job jars that the deploy tests run, built by the jobs modules earlier in the same
 * reactor build; Failsafe passes their paths as system properties.
 */
public final class JobJars {

    private JobJars() {}

    /** The stream job jar ({@code flink run} entry point {@code ClassifierJob}). */
    public static String stream() {
        return existing(
                "rnnstream.streamJobJar",
                "the stream job jar, built by the jobs/stream module's shade execution");
    }

    /** The retraining job jar ({@code flink run} entry point {@code RetrainJob}). */
    public static String retrain() {
        return existing(
                "rnnstream.retrainJobJar",
                "the retraining job jar, built by the jobs/retrain module's retrain-job-jar"
                        + " profile");
    }

    private static String existing(String property, String description) {
        Path jar = Path.of(System.getProperty(property, "missing"));
        assertThat(jar).as(description).isRegularFile();
        return jar.toString();
    }
}
