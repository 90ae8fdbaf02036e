package io.rnnstream.cli;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites model-core's messages, which name its fields ({@code hiddenSize must be in [1, 8192]}),
 * so that they name the {@code train} options a user types ({@code --hidden must be ...}).
 */
final class OptionNames {

    private static final Map<String, String> TRAIN_OPTIONS =
            Map.ofEntries(
                    Map.entry("cell", "--cell"),
                    Map.entry("layers", "--layers"),
                    Map.entry("hiddenSize", "--hidden"),
                    Map.entry("embeddingSize", "--embedding"),
                    Map.entry("supervision", "--supervision"),
                    Map.entry("tbpttLength", "--tbptt"),
                    Map.entry("tbpttBackLength", "--tbptt-back"),
                    Map.entry("batchSize", "--batch"),
                    Map.entry("learningRate", "--lr"),
                    Map.entry("maxEpochs", "--epochs"),
                    Map.entry("patience", "--patience"),
                    Map.entry("patienceUpdates", "--patience-updates"),
                    Map.entry("gradientClip", "--clip"),
                    Map.entry("seed", "--seed"));

    /** A field name at the start of the message or after "training option ". */
    private static final Pattern FIELD =
            Pattern.compile("^(?:training option )?([a-zA-Z]+)(?= must | and | is )");

    private OptionNames() {}

    /** {@code message} with a leading field name replaced by its option; else unchanged. */
    static String train(String message) {
        Matcher matcher = FIELD.matcher(message);
        if (matcher.find() && TRAIN_OPTIONS.containsKey(matcher.group(1))) {
            return TRAIN_OPTIONS.get(matcher.group(1)) + message.substring(matcher.end());
        }
        return message;
    }
}
