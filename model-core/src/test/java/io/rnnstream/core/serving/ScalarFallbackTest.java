package io.rnnstream.core.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.core.model.CellType;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Path selection: this JVM (surefire adds {@code --add-modules jdk.incubator.vector}) serves on the
 * vector path; a JVM started without the module, or with {@code -Drnnstream.serving.simd=false},
 * loads the scalar path without any linkage error and classifies exactly as the scalar path does
 * here. The child JVMs run {@link FallbackProbe} from this test classpath (about 1 s each).
 */
class ScalarFallbackTest {

    @Test
    void testJvmServesOnTheVectorPath() {
        assertThat(ServingPath.vectorAvailable())
                .as(
                        "surefire starts tests with --add-modules jdk.incubator.vector: %s",
                        ServingPath.describe())
                .isTrue();
        assertThat(ServingPath.active()).isEqualTo(ServingPath.VECTOR);
        assertThat(ServingPath.describe()).startsWith("vector (");
        assertThat(probeModel().path()).isEqualTo(ServingPath.VECTOR);
    }

    @Test
    void jvmWithoutTheModuleFallsBackToScalarAndClassifiesTheSame() throws Exception {
        List<String> lines = runProbe();
        assertThat(lines.get(0)).isEqualTo("SCALAR");
        assertThat(lines.get(1))
                .startsWith("scalar (module jdk.incubator.vector not in the boot layer");
        assertThat(lines.subList(2, lines.size())).isEqualTo(FallbackProbe.classify(scalar()));
    }

    @Test
    void propertyForcesScalarEvenWithTheModule() throws Exception {
        List<String> lines =
                runProbe(
                        "--add-modules=jdk.incubator.vector",
                        "-D" + ServingPath.PROPERTY + "=false");
        assertThat(lines.get(0)).isEqualTo("SCALAR");
        assertThat(lines.get(1)).startsWith("scalar (-Drnnstream.serving.simd=false; vector: ");
        assertThat(lines.subList(2, lines.size())).isEqualTo(FallbackProbe.classify(scalar()));
    }

    @Test
    void bothPathsClassifyTheProbeSequencesAlike() {
        List<String> vector = FallbackProbe.classify(probeModel());
        List<String> scalar = FallbackProbe.classify(scalar());
        assertThat(vector).hasSameSizeAs(scalar);
        for (int i = 0; i < vector.size(); i++) {
            String[] v = vector.get(i).split(" ");
            String[] s = scalar.get(i).split(" ");
            for (int c = 0; c < v.length; c++) {
                assertThat(Double.parseDouble(v[c]))
                        .as("sequence %d class %d", i, c)
                        .isCloseTo(
                                Double.parseDouble(s[c]),
                                org.assertj.core.data.Offset.offset(1e-5));
            }
        }
    }

    private static SequenceClassifier probeModel() {
        return FallbackProbe.model();
    }

    private static SequenceClassifier scalar() {
        return FallbackProbe.model().withPath(ServingPath.SCALAR);
    }

    private static List<String> runProbe(String... jvmOptions)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmOptions));
        command.addAll(
                List.of(
                        "-cp",
                        System.getProperty("java.class.path"),
                        FallbackProbe.class.getName()));
        Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
        byte[] out = process.getInputStream().readAllBytes();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("probe failed: %s", err).isZero();
        // Only the probe's own lines: a logger may share the child's stdout.
        return new String(out, StandardCharsets.UTF_8)
                .lines()
                .filter(line -> line.startsWith(FallbackProbe.PREFIX))
                .map(line -> line.substring(FallbackProbe.PREFIX.length()))
                .toList();
    }

    /** A small main for the child JVM: prints the active path, its description, probabilities. */
    static final class FallbackProbe {

        static final String PREFIX = "probe: ";

        public static void main(String[] args) {
            SequenceClassifier classifier = model();
            System.out.println(PREFIX + classifier.path());
            System.out.println(PREFIX + ServingPath.describe());
            classify(classifier).forEach(line -> System.out.println(PREFIX + line));
        }

        /** Two-layer LSTM with odd sizes, random weights: every kernel loop has remainders. */
        static SequenceClassifier model() {
            ModelSpec spec =
                    new ModelSpec(
                            CellType.LSTM, 2, 21, InputKind.FEATURES, 5, 0, List.of("a", "b", "c"));
            FeatureNormalizer identity =
                    new FeatureNormalizer(new float[5], new float[] {1f, 1f, 1f, 1f, 1f});
            return new SequenceClassifier(StepperTest.randomWeights(spec, 23), identity, null);
        }

        /** Probabilities of a few fixed sequences, one line each, floats printed exactly. */
        static List<String> classify(SequenceClassifier classifier) {
            java.util.Random random = new java.util.Random(29);
            List<String> lines = new ArrayList<>();
            for (int s = 0; s < 4; s++) {
                float[][] sequence = new float[3 + 5 * s][5];
                for (float[] step : sequence) {
                    for (int i = 0; i < step.length; i++) {
                        step[i] = (float) random.nextGaussian();
                    }
                }
                StringBuilder line = new StringBuilder();
                for (float p : classifier.classifyFeatures(sequence)) {
                    line.append(line.length() == 0 ? "" : " ").append(Float.toString(p));
                }
                lines.add(line.toString());
            }
            return lines;
        }
    }
}
