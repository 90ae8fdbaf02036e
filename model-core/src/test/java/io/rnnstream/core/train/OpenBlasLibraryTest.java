package io.rnnstream.core.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.assertj.core.data.Percentage.withPercentage;

import io.rnnstream.core.model.CellType;
import io.rnnstream.core.model.InputKind;
import io.rnnstream.core.model.ModelSpec;
import io.rnnstream.core.model.TrainingOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training runs on the OpenBLAS the process chose: by default the machine's where it has one and
 * the bundled one elsewhere, the machine's with {@code rnnstream.blas=system}, the bundled one with
 * {@code bundled}, with the same losses; a choice that names no library fails with where it looked.
 * The library is fixed when ND4J first loads, so the training cases run {@link Probe} in fresh JVMs
 * from this test classpath (about 4 s each). CI installs Debian's libopenblas0-pthread, so there
 * the system case must run; elsewhere it is skipped when the machine has no OpenBLAS.
 */
class OpenBlasLibraryTest {

    @Test
    void bundledNamesNoFile() {
        assertThat(OpenBlasLibrary.resolve("bundled", List.of())).isEmpty();
        assertThat(OpenBlasLibrary.resolve("BUNDLED", List.of())).isEmpty();
    }

    @Test
    void systemTakesTheFirstDirectoryThatHoldsTheLibrary(@TempDir Path temp) throws IOException {
        Path empty = Files.createDirectories(temp.resolve("empty"));
        Path first = library(temp.resolve("openblas-pthread"));
        library(temp.resolve("lib"));

        assertThat(OpenBlasLibrary.resolve("system", List.of(empty, first.getParent(), temp)))
                .contains(first);
    }

    @Test
    void systemWithoutALibrarySaysWhereItLookedAndWhatToInstall(@TempDir Path temp) {
        assertThatThrownBy(() -> OpenBlasLibrary.resolve("system", List.of(temp)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("rnnstream.blas=system")
                .hasMessageContaining(temp.toString())
                .hasMessageContaining("libopenblas0-pthread");
    }

    @Test
    void aPathMustBeAnOpenBlasLibraryFile(@TempDir Path temp) throws IOException {
        Path library = library(temp.resolve("build"));
        Path other = Files.writeString(temp.resolve("libblas.so.3"), "");

        assertThat(OpenBlasLibrary.resolve(library.toString(), List.of())).contains(library);
        assertThatThrownBy(() -> OpenBlasLibrary.resolve(other.toString(), List.of()))
                .hasMessageContaining("must be named libopenblas.so.0");
        assertThatThrownBy(() -> OpenBlasLibrary.resolve(temp + "/missing.so", List.of()))
                .hasMessageContaining("no such file");
        assertThatThrownBy(() -> OpenBlasLibrary.resolve("mkl", List.of()))
                .hasMessageContaining("expected auto, bundled, system, or the path");
    }

    @Test
    void autoTakesTheMachinesLibraryWhereItHasOneAndTheBundledOneElsewhere(@TempDir Path temp)
            throws IOException {
        Path empty = Files.createDirectories(temp.resolve("empty"));
        Path installed = library(temp.resolve("lib"));

        assertThat(OpenBlasLibrary.resolve("auto", List.of(empty, installed.getParent())))
                .contains(installed);
        assertThat(OpenBlasLibrary.resolve("auto", List.of(empty))).isEmpty();
    }

    @Test
    void theBundledChoiceTrainsOnTheBundledOpenBlas() throws Exception {
        Run run = train("-D" + OpenBlasLibrary.PROPERTY + "=bundled");

        assertThat(run.libraries).isNotEmpty().allMatch(file -> file.contains("/.javacpp/cache/"));
    }

    @Test
    void byDefaultTrainingRunsOnTheMachinesOpenBlasWhereItHasOne() throws Exception {
        Optional<Path> system = OpenBlasLibrary.systemLibrary();

        Run run = train();

        if (system.isPresent()) {
            assertThat(run.libraries).contains(system.get().toRealPath().toString());
        } else {
            assertThat(run.libraries)
                    .isNotEmpty()
                    .allMatch(file -> file.contains("/.javacpp/cache/"));
        }
    }

    @Test
    void theSystemChoiceTrainsOnTheMachinesOpenBlasWithTheSameLosses() throws Exception {
        Optional<Path> system = OpenBlasLibrary.systemLibrary();
        if ("true".equals(System.getenv("CI"))) {
            assertThat(system).as("CI installs libopenblas0-pthread").isPresent();
        }
        assumeThat(system).as("no OpenBLAS installed on this machine").isPresent();
        Run bundled = train("-D" + OpenBlasLibrary.PROPERTY + "=bundled");

        Run onSystem = train("-D" + OpenBlasLibrary.PROPERTY + "=system");

        // JavaCPP links the bindings to a copy named as the bundled file, and the other bindings
        // to the file itself: the machine's library is mapped, and no bundled build is.
        Path real = system.get().toRealPath();
        assertThat(onSystem.libraries).contains(real.toString());
        assertThat(onSystem.libraries)
                .noneMatch(file -> file.contains("/openblas-0.") && file.contains(".jar/"));
        assertThat(onSystem.losses).hasSameSizeAs(bundled.losses);
        for (int i = 0; i < bundled.losses.length; i++) {
            // The same arithmetic up to the order of float additions in the products.
            assertThat(onSystem.losses[i])
                    .as("window %d", i)
                    .isCloseTo(bundled.losses[i], withPercentage(1e-3));
        }
    }

    @Test
    void aSystemChoiceOnAMachineWithoutOneFailsTheRunWithTheReason(@TempDir Path temp)
            throws Exception {
        Path notALibrary = temp.resolve("nothing").resolve(OpenBlasLibrary.FILE_NAME);

        ChildJvm.Result child = run("-D" + OpenBlasLibrary.PROPERTY + "=" + notALibrary);

        assertThat(child.exit()).isNotZero();
        assertThat(child.err()).contains(notALibrary + ": no such file");
    }

    private static Path library(Path directory) throws IOException {
        return Files.writeString(
                Files.createDirectories(directory).resolve(OpenBlasLibrary.FILE_NAME), "");
    }

    private record Run(double[] losses, List<String> libraries) {}

    private static Run train(String... jvmOptions) throws Exception {
        ChildJvm.Result child = run(jvmOptions);
        assertThat(child.exit()).as("probe failed: %s", child.err()).isZero();
        double[] losses = null;
        List<String> libraries = new ArrayList<>();
        for (String line : child.out().lines().toList()) {
            if (line.startsWith(Probe.LOSSES)) {
                losses =
                        Arrays.stream(line.substring(Probe.LOSSES.length()).split(","))
                                .mapToDouble(Double::parseDouble)
                                .toArray();
            } else if (line.startsWith(Probe.LIBRARY)) {
                libraries.add(line.substring(Probe.LIBRARY.length()));
            }
        }
        assertThat(losses).as("no losses in: %s", child.out()).isNotNull();
        return new Run(losses, libraries);
    }

    private static ChildJvm.Result run(String... jvmOptions)
            throws IOException, InterruptedException {
        // The environment must not choose for the child: each case says what it runs on.
        Map<String, String> environment = new HashMap<>();
        environment.put(OpenBlasLibrary.ENVIRONMENT, null);
        environment.put("OMP_NUM_THREADS", "1");
        return ChildJvm.run(Probe.class, List.of(), environment, 120, jvmOptions);
    }

    /**
     * The child JVM: four windows of stateful truncated BPTT on a next-token task (LSTM 64, 16
     * streams, so that the per-step products are real matrix products), then the window losses and
     * the OpenBLAS files it mapped.
     */
    static final class Probe {

        static final String LOSSES = "losses: ";
        static final String LIBRARY = "openblas: ";

        public static void main(String[] args) {
            int vocabulary = 11;
            int window = 20;
            int streams = 16;
            int[] text = new int[streams * (4 * window + 1)];
            for (int i = 0; i < text.length; i++) {
                text[i] = (i * 7 + i / 13) % vocabulary;
            }
            List<String> symbols = new ArrayList<>();
            for (int i = 0; i < vocabulary; i++) {
                symbols.add("s" + i);
            }
            ModelSpec spec =
                    new ModelSpec(CellType.LSTM, 1, 64, InputKind.FEATURES, vocabulary, 0, symbols);
            MultiLayerNetwork network =
                    NetworkFactory.create(
                            spec, TrainingOptions.builder().hiddenSize(64).seed(5).build());
            TruncatedBpttFitter fitter = new TruncatedBpttFitter(network, spec, window, 0);
            ParallelStreams input =
                    new ParallelStreams(
                            ParallelStreams.split(text, streams),
                            window,
                            0,
                            vocabulary,
                            vocabulary);
            List<String> losses = new ArrayList<>();
            fitter.fit(input, 0, (w, start, result) -> losses.add(Double.toString(result.score())));
            System.out.println(LOSSES + String.join(",", losses));
            OpenBlasLibrary.loaded().forEach(file -> System.out.println(LIBRARY + file));
        }
    }
}
