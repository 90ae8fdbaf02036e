package io.rnnstream.core.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.core.model.CellType;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.core.model.TrainingOptions;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

/**
 * JavaCPP's resident-size check is off in a process that trains, unless the command line says
 * otherwise, and untouched in one that only uses ND4J. JavaCPP fixes the setting when ND4J first
 * loads, so each case runs {@link Probe} in a fresh JVM from this test classpath (2 to 3 s each).
 */
class Nd4jSettingsTest {

    @Test
    void buildingANetworkForTrainingTurnsTheResidentSizeCheckOff() throws Exception {
        assertThat(maxPhysicalBytes("train")).isZero();
    }

    @Test
    void aValueGivenOnTheCommandLineWins() throws Exception {
        assertThat(maxPhysicalBytes("train", "-D" + Nd4jSettings.MAX_PHYSICAL_BYTES + "=8g"))
                .isEqualTo(8L << 30);
    }

    @Test
    void nd4jWithoutTheTrainerKeepsJavaCppsDefault() throws Exception {
        assertThat(maxPhysicalBytes("nd4j-only")).isPositive();
    }

    private static long maxPhysicalBytes(String mode, String... jvmOptions)
            throws IOException, InterruptedException {
        ChildJvm.Result child = ChildJvm.run(Probe.class, List.of(mode), Map.of(), 60, jvmOptions);
        assertThat(child.exit()).as("probe failed: %s", child.err()).isZero();
        // Only the probe's own line: a logger may share the child's stdout.
        return child.out()
                .lines()
                .filter(line -> line.startsWith(Probe.PREFIX))
                .map(line -> Long.parseLong(line.substring(Probe.PREFIX.length())))
                .findFirst()
                .orElseThrow(
                        () -> new AssertionError("no probe line in: " + child.out() + child.err()));
    }

    /** The child JVM: reaches ND4J as training does, or directly, then prints JavaCPP's limit. */
    static final class Probe {

        static final String PREFIX = "maxPhysicalBytes: ";

        public static void main(String[] args) {
            if (args[0].equals("train")) {
                ModelSpec spec =
                        new ModelSpec(
                                CellType.LSTM, 1, 4, InputKind.FEATURES, 3, 0, List.of("a", "b"));
                NetworkFactory.create(spec, TrainingOptions.defaults());
            } else {
                org.nd4j.linalg.factory.Nd4j.zeros(2, 2);
            }
            System.out.println(PREFIX + Pointer.maxPhysicalBytes());
        }
    }
}
