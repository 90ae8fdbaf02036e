package io.rnnstream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rnnstream.core.artifact.DirectorySource;
import io.rnnstream.core.artifact.ModelArtifact;
import io.rnnstream.core.inspect.CellActivations;
import io.rnnstream.core.inspect.TextProperty;
import io.rnnstream.core.inspect.UnitScores;
import io.rnnstream.core.serving.LanguageModel;
import io.rnnstream.core.train.OpenBlasLibrary;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The character language model against PyTorch in one run (issue 17): the same recipe on tiny
 * Shakespeare (one-hot input, LSTM, windows of 100 over 32 streams, Adam 2e-3, gradient norm
 * clipped at 5, one thread, the text's first 90% for training), each side in its own process for
 * the same number of epochs and seeds; validation loss after each epoch and training characters per
 * second; where the machine has an OpenBLAS of its own, rnnstream trains each seed a second time on
 * it ({@code RNNSTREAM_BLAS=system}). Then rnnstream's model on the code corpus, and the hidden
 * units that track properties of each corpus's validation text.
 *
 * <p>Arguments: {@code [--quick] [--out DIR] [--data DIR]}; writes {@code lm-<mode>.json} and
 * {@code .md}.
 */
public final class LanguageModelSuite {

    /** Validation loss may be at most this much above PyTorch's, in nats per character. */
    static final double LOSS_MARGIN = 0.02;

    /**
     * Seeds of the full run: each trains both sides once, and the comparison is between the means,
     * since two draws of the same recipe differ by more than the margin. The first seed's model is
     * sampled and inspected.
     */
    static final int[] SEEDS = {42, 1, 2};

    /** A round's rnnstream run on the machine's own OpenBLAS, where it has one. */
    static final String SYSTEM_BLAS_SIDE = "rnnstreamSystemBlas";

    private static final int[] QUICK_SEEDS = {42};

    /** Characters of each corpus's validation part the units are scored on. */
    static final int CELL_CHARACTERS = 20_000;

    private LanguageModelSuite() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = Arguments.parse(args);
        Path out = Path.of(options.getOrDefault("out", "bench/results"));
        System.out.println(
                "wrote "
                        + run(
                                options.containsKey("quick"),
                                out,
                                BenchSuite.dataDirectory(options)));
    }

    static Path run(boolean quick, Path out, Path data) throws Exception {
        Path work = Files.createTempDirectory("rnnstream-lm");
        Path log = work.resolve("runs.log");
        int epochs = quick ? 1 : 2;
        int hidden = quick ? 32 : 256;
        int chars = quick ? 40_000 : 0;
        Path shakespeare = data.resolve("tinyshakespeare/input.txt");
        Path code = data.resolve("rnnstream-java/rnnstream-java.txt");

        ResultFiles result = ResultFiles.begin(quick);

        Path script = Processes.script("torch_tbptt.py", work);
        Processes.script("torch_common.py", work);
        // Each seed's pair runs back to back, so a speed ratio compares runs under the same load.
        List<Map<String, Object>> rounds = new ArrayList<>();
        Path shakespeareModel = work.resolve("shakespeare");
        for (int seed : quick ? QUICK_SEEDS : SEEDS) {
            JsonNode torch =
                    torchRun(
                            script,
                            shakespeare,
                            hidden,
                            epochs,
                            chars,
                            List.of("--seed", "" + seed),
                            log);
            // The first seed's model is the one sampled and inspected.
            JsonNode ours =
                    ourRun(
                            shakespeare,
                            chars,
                            hidden,
                            epochs,
                            seed,
                            "ROMEO:",
                            rounds.isEmpty() ? shakespeareModel : null,
                            TbpttSuite.BUNDLED,
                            log);
            Map<String, Object> round = new LinkedHashMap<>();
            round.put("seed", seed);
            round.put("rnnstream", ours);
            round.put("torch", torch);
            if (TbpttSuite.SYSTEM_BLAS) {
                // The same training on the OpenBLAS PyTorch runs on here.
                round.put(
                        SYSTEM_BLAS_SIDE,
                        ourRun(
                                shakespeare,
                                chars,
                                hidden,
                                epochs,
                                seed,
                                "ROMEO:",
                                null,
                                TbpttSuite.SYSTEM,
                                log));
            }
            rounds.add(round);
        }
        // The same recipe with every bias started at zero, as DL4J starts them: why the recipe
        // draws its biases.
        JsonNode torchConstantBiases =
                torchRun(
                        script,
                        shakespeare,
                        hidden,
                        epochs,
                        chars,
                        List.of("--constant-biases"),
                        log);
        Map<String, Object> comparison = new LinkedHashMap<>();
        comparison.put("seeds", rounds);
        comparison.put("rnnstream", rounds.get(0).get("rnnstream"));
        comparison.put("torch", rounds.get(0).get("torch"));
        JsonNode seeds = new ObjectMapper().valueToTree(rounds);
        double difference = meanValidation(seeds, "rnnstream") - meanValidation(seeds, "torch");
        comparison.put("validationDifference", difference);
        comparison.put("lossWithinMargin", difference <= LOSS_MARGIN);
        double speedRatio = medianSpeedRatio(seeds, "rnnstream");
        comparison.put("speedRatio", speedRatio);
        comparison.put("speedAtLeastPyTorch", speedRatio >= 1);
        if (TbpttSuite.SYSTEM_BLAS) {
            comparison.put("speedRatioSystemBlas", medianSpeedRatio(seeds, SYSTEM_BLAS_SIDE));
            comparison.put(
                    "validationDifferenceSystemBlas",
                    meanValidation(seeds, SYSTEM_BLAS_SIDE) - meanValidation(seeds, "torch"));
        }
        comparison.put("torchConstantBiases", torchConstantBiases);
        result.put("shakespeare", comparison);

        Path codeModel = work.resolve("code");
        result.put(
                "code",
                ourRun(
                        code,
                        quick ? chars : 0,
                        hidden,
                        epochs,
                        SEEDS[0],
                        "public final class",
                        codeModel,
                        TbpttSuite.BUNDLED,
                        log));

        Map<String, Object> cells = new LinkedHashMap<>();
        cells.put("shakespeare", cells(shakespeareModel, shakespeare, chars));
        cells.put("code", cells(codeModel, code, quick ? chars : 0));
        result.put("cells", cells);

        return result.write(out, "lm", LanguageModelSuite::render);
    }

    private static JsonNode torchRun(
            Path script, Path text, int hidden, int epochs, int chars, List<String> extra, Path log)
            throws Exception {
        List<String> command = new ArrayList<>();
        command.addAll(
                List.of(
                        Processes.python(),
                        script.toString(),
                        "--text",
                        text.toString(),
                        "--hidden",
                        "" + hidden,
                        "--epochs",
                        "" + epochs,
                        "--chars",
                        "" + chars));
        command.addAll(extra);
        return Processes.runForJson(command, Map.of(), log);
    }

    /** Trains rnnstream's model; writes its artifact to {@code artifact} unless that is null. */
    private static JsonNode ourRun(
            Path text,
            int chars,
            int hidden,
            int epochs,
            int seed,
            String prime,
            Path artifact,
            String blas,
            Path log)
            throws Exception {
        List<String> arguments =
                new ArrayList<>(
                        List.of(
                                "--text",
                                text.toString(),
                                "--chars",
                                "" + chars,
                                "--hidden",
                                "" + hidden,
                                "--epochs",
                                "" + epochs,
                                "--seed",
                                "" + seed,
                                "--prime",
                                prime));
        if (artifact != null) {
            arguments.addAll(List.of("--artifact", artifact.toString()));
        }
        return Processes.runForJson(
                Processes.javaCommand(LanguageModelRun.class.getName(), arguments),
                Map.of("OMP_NUM_THREADS", "1", OpenBlasLibrary.ENVIRONMENT, blas),
                log);
    }

    static double lastValidation(JsonNode run) {
        JsonNode epochs = run.get("epochs");
        return epochs.get(epochs.size() - 1).get("validationNats").asDouble();
    }

    /** The mean over seeds of one side's validation loss after its last epoch. */
    static double meanValidation(JsonNode seeds, String side) {
        double sum = 0;
        for (JsonNode round : seeds) {
            sum += lastValidation(round.get(side));
        }
        return sum / seeds.size();
    }

    /** The median over seeds of one rnnstream side's training speed over PyTorch's in a round. */
    static double medianSpeedRatio(JsonNode seeds, String side) {
        double[] ratios = new double[seeds.size()];
        for (int i = 0; i < ratios.length; i++) {
            JsonNode round = seeds.get(i);
            ratios[i] =
                    round.get(side).get("charactersPerSecond").asDouble()
                            / round.get("torch").get("charactersPerSecond").asDouble();
        }
        return TrainingSummary.median(ratios);
    }

    /** The best unit per property on the first characters of the corpus's validation part. */
    private static Map<String, Object> cells(Path artifact, Path text, int chars) throws Exception {
        LanguageModel model =
                ModelArtifact.load(new DirectorySource(artifact), null)
                        .requireLanguageModel(artifact.toString());
        String all = Files.readString(text, StandardCharsets.UTF_8);
        if (chars > 0 && chars < all.length()) {
            all = all.substring(0, chars);
        }
        String validation = all.substring((int) (all.length() * 0.9));
        String scored = validation.substring(0, Math.min(CELL_CHARACTERS, validation.length()));
        CellActivations activations =
                CellActivations.record(model, model.encode(scored, text.toString()));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("characters", scored.length());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (UnitScores.PropertyScores property :
                UnitScores.rank(activations, scored, TextProperty.all(), 3).values()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("property", property.property().description());
            List<Map<String, Object>> ranked = new ArrayList<>();
            for (UnitScores.Score score : property.ranked()) {
                ranked.add(Map.of("unit", score.label().label(), "r", score.correlation()));
            }
            row.put("ranked", ranked);
            rows.add(row);
        }
        out.put("properties", rows);
        return out;
    }

    /**
     * PyTorch with its own initialization against the same run with every bias started at zero; a
     * stream whose loss stays far above the others is a model stuck in a state.
     */
    private static void renderConstantBiases(StringBuilder md, JsonNode torch, JsonNode constant) {
        md.append("### Why the language model draws its biases\n\n")
                .append("PyTorch, same recipe and seed, once with its own initialization (every")
                .append(" bias drawn uniformly around 0, which rnnstream's language-model recipe")
                .append(" copies) and once with every bias started at 0, as DL4J starts them. The")
                .append(" worst stream is the highest mean loss of the validation streams.\n\n")
                .append("| epoch | PyTorch's own: val (worst stream) | biases at 0: val")
                .append(" (worst stream) |\n|---|---|---|\n");
        for (int e = 0; e < torch.get("epochs").size(); e++) {
            JsonNode a = torch.get("epochs").get(e);
            JsonNode b = constant.get("epochs").get(e);
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %d | %.4f (%.2f) | %.4f (%.2f) |%n",
                            a.get("epoch").asInt(),
                            a.get("validationNats").asDouble(),
                            a.get("worstStreamNats").asDouble(),
                            b.get("validationNats").asDouble(),
                            b.get("worstStreamNats").asDouble()));
        }
        md.append('\n');
    }

    static String render(JsonNode result) {
        StringBuilder md = new StringBuilder();
        md.append("# Character language model against PyTorch (")
                .append(result.get("mode").asText())
                .append(" run)\n\n");
        md.append(ResultFiles.runLine(result))
                .append(
                        " Each side in its own process, one thread; one round per seed, the two sides of a"
                                + " round back to back.\n\n");
        JsonNode comparison = result.get("shakespeare");
        boolean onSystemBlas = comparison.has("speedRatioSystemBlas");
        JsonNode ours = comparison.get("rnnstream");
        JsonNode torch = comparison.get("torch");
        md.append(
                String.format(
                        Locale.ROOT,
                        "## tiny Shakespeare: LSTM %d on one-hot characters (vocabulary %d),"
                                + " windows of %d over %d streams, Adam 2e-3, norm clip 5%n%n",
                        ours.get("hidden").asInt(),
                        ours.get("vocabulary").asInt(),
                        ours.get("window").asInt(),
                        ours.get("streams").asInt()));
        md.append(
                "| epoch | updates | rnnstream val nats/char (bits) | PyTorch val nats/char (bits)"
                        + " |\n|---|---|---|---|\n");
        for (int e = 0; e < ours.get("epochs").size(); e++) {
            JsonNode a = ours.get("epochs").get(e);
            JsonNode b = torch.get("epochs").get(e);
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %d | %d / %d | %.4f (%.3f) | %.4f (%.3f) |%n",
                            a.get("epoch").asInt(),
                            a.get("updates").asInt(),
                            b.get("updates").asInt(),
                            a.get("validationNats").asDouble(),
                            a.get("validationBits").asDouble(),
                            b.get("validationNats").asDouble(),
                            b.get("validationBits").asDouble()));
        }
        md.append(
                String.format(
                        Locale.ROOT,
                        "%nEach seed (the table above is the first):%n%n"
                                + "| seed | rnnstream val nats/char | PyTorch val nats/char |"
                                + " rnnstream chars/s | PyTorch chars/s |%s%n"
                                + "|---|---|---|---|---|%s%n",
                        onSystemBlas
                                ? " rnnstream on the system's OpenBLAS: val nats/char |"
                                        + " chars/s |"
                                : "",
                        onSystemBlas ? "---|---|" : ""));
        for (JsonNode round : comparison.get("seeds")) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %d | %.4f | %.4f | %.0f | %.0f |",
                            round.get("seed").asInt(),
                            lastValidation(round.get("rnnstream")),
                            lastValidation(round.get("torch")),
                            round.get("rnnstream").get("charactersPerSecond").asDouble(),
                            round.get("torch").get("charactersPerSecond").asDouble()));
            if (onSystemBlas) {
                JsonNode onSystem = round.get(SYSTEM_BLAS_SIDE);
                md.append(
                        String.format(
                                Locale.ROOT,
                                " %.4f | %.0f |",
                                lastValidation(onSystem),
                                onSystem.get("charactersPerSecond").asDouble()));
            }
            md.append('\n');
        }
        JsonNode seeds = comparison.get("seeds");
        md.append(
                String.format(
                        Locale.ROOT,
                        "| mean | %.4f | %.4f | | |%s%n",
                        meanValidation(seeds, "rnnstream"),
                        meanValidation(seeds, "torch"),
                        onSystemBlas
                                ? String.format(
                                        Locale.ROOT,
                                        " %.4f | |",
                                        meanValidation(seeds, SYSTEM_BLAS_SIDE))
                                : ""));
        md.append(
                String.format(
                        Locale.ROOT,
                        "%n| target | measured | met |%n|---|---|---|%n"
                                + "| validation loss at most PyTorch's + %.2f nats/char (means"
                                + " over seeds) |"
                                + " %+.4f nats/char | %s |%n"
                                + "| training characters/s at least PyTorch's (median of the"
                                + " seeds' ratios) | **%.2f** | %s |%n%n",
                        LOSS_MARGIN,
                        comparison.get("validationDifference").asDouble(),
                        comparison.get("lossWithinMargin").asBoolean() ? "yes" : "no",
                        comparison.get("speedRatio").asDouble(),
                        comparison.get("speedAtLeastPyTorch").asBoolean() ? "yes" : "no"));
        if (onSystemBlas) {
            md.append(
                    String.format(
                            Locale.ROOT,
                            "On the system's OpenBLAS (`RNNSTREAM_BLAS=system`), the library PyTorch"
                                    + " runs on here, rnnstream trains at **%.2f** of PyTorch's"
                                    + " characters per second (median of the seeds' ratios), at"
                                    + " %+.4f nats/char from PyTorch's mean validation loss.%n%n",
                            comparison.get("speedRatioSystemBlas").asDouble(),
                            comparison.get("validationDifferenceSystemBlas").asDouble()));
        }
        renderConstantBiases(md, torch, comparison.get("torchConstantBiases"));
        md.append("Sample from rnnstream's model, temperature 0.8, seed 42:\n\n```text\n")
                .append(ours.get("sample").asText())
                .append("\n```\n\n");
        JsonNode code = result.get("code");
        md.append(
                String.format(
                        Locale.ROOT,
                        "## Code corpus (rnnstream's Java sources): rnnstream only%n%n"
                                + "Validation %.4f nats/char (%.3f bits) after %d epoch(s),"
                                + " %.0f characters/s. Sample:%n%n```java%n%s%n```%n%n",
                        lastValidation(code),
                        lastValidation(code) / Math.log(2),
                        code.get("epochs").size(),
                        code.get("charactersPerSecond").asDouble(),
                        code.get("sample").asText()));
        md.append("## Hidden units that track the text\n\n")
                .append("Pearson correlation of a unit's activation after each character with the")
                .append(" property at that character, on the first characters of each corpus's")
                .append(" validation part; the three best units by magnitude.\n\n");
        for (String corpus : List.of("shakespeare", "code")) {
            JsonNode cells = result.get("cells").get(corpus);
            md.append(
                    String.format(
                            Locale.ROOT,
                            "### %s (%d characters)%n%n| property | best units (r) |%n|---|---|%n",
                            corpus,
                            cells.get("characters").asInt()));
            for (JsonNode row : cells.get("properties")) {
                StringBuilder units = new StringBuilder();
                for (JsonNode score : row.get("ranked")) {
                    units.append(units.length() == 0 ? "" : ", ")
                            .append(
                                    String.format(
                                            Locale.ROOT,
                                            "%s (%+.3f)",
                                            score.get("unit").asText(),
                                            score.get("r").asDouble()));
                }
                md.append("| ")
                        .append(row.get("property").asText())
                        .append(" | ")
                        .append(units.length() == 0 ? "constant in this text" : units)
                        .append(" |\n");
            }
            md.append('\n');
        }
        return md.toString();
    }
}
