package io.rnnstream.core.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits text into lower-case word tokens; used identically for training and serving, so a model
 * artifact never depends on a tokenizer that could drift.
 *
 * <p>A token is a run of letters and digits, optionally with one inner apostrophe ({@code don't}),
 * or one of the sentiment-bearing punctuation marks {@code ! ?}. Everything else separates tokens.
 */
public final class Tokenizer {

    /** Name recorded in the model manifest; bump when the rules above change. */
    public static final String NAME = "lowercase-words-v1";

    private static final Pattern TOKEN = Pattern.compile("[\\p{L}\\p{N}]+(?:'[\\p{L}]+)?|[!?]");

    private Tokenizer() {}

    public static List<String> tokenize(String text) {
        List<String> tokens = new ArrayList<>();
        Matcher matcher = TOKEN.matcher(text.toLowerCase(Locale.ROOT));
        while (matcher.find()) {
            tokens.add(matcher.group());
        }
        return tokens;
    }
}
