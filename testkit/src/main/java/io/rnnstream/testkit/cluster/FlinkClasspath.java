package io.rnnstream.testkit.cluster;

import java.io.File;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The classpath of the standalone cluster's JVMs: the classpath of the JVM that starts them (a
 * test's, or the soak benchmark's) minus everything a Flink distribution's {@code lib/} would not
 * hold. What matters most is that the Kafka connector and kafka-clients stay out: Flink loads
 * {@code org.apache.flink.*} parent-first, so a connector on the cluster's classpath would shadow
 * the one inside the job jar, as it would on a real cluster with a stray jar in {@code lib/}.
 */
public final class FlinkClasspath {

    /** Path fragments (Maven repository layout) of jars that are not part of a Flink cluster. */
    private static final List<String> NOT_FLINK =
            List.of(
                    "/io/rnnstream/",
                    "/target/classes",
                    "/target/test-classes",
                    "/org/apache/kafka/",
                    "/flink-connector-kafka/",
                    "/flink-kubernetes-operator-api/",
                    "/io/fabric8/",
                    "/com/networknt/",
                    "/com/marcnuri/",
                    "/org/deeplearning4j/",
                    "/org/nd4j/",
                    "/org/bytedeco/",
                    "/org/junit/",
                    "/org/assertj/",
                    "/org/opentest4j/",
                    "/org/apiguardian/",
                    "/org/scala-lang/",
                    "/com/typesafe/",
                    "/info/picocli/",
                    "/me/tongfei/");

    private FlinkClasspath() {}

    /**
     * Filters Surefire's test classpath (the JVM's own {@code java.class.path} is a manifest-only
     * jar under Surefire), or outside Surefire this JVM's {@code java.class.path}.
     */
    public static String fromTestClasspath() {
        String testClasspath =
                System.getProperty(
                        "surefire.test.class.path", System.getProperty("java.class.path"));
        String flink =
                Arrays.stream(testClasspath.split(File.pathSeparator))
                        .filter(entry -> NOT_FLINK.stream().noneMatch(entry::contains))
                        .collect(Collectors.joining(File.pathSeparator));
        if (!flink.contains("flink-runtime-") || !flink.contains("flink-clients-")) {
            throw new IllegalStateException(
                    "flink-runtime and flink-clients must be on the test classpath: " + flink);
        }
        return flink;
    }
}
