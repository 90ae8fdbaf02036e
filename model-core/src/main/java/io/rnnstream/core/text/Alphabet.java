package io.rnnstream.core.text;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The characters of a character-level language model, in id order: each symbol is one Unicode code
 * point, so a character outside the Basic Multilingual Plane is one symbol, not two halves.
 */
public final class Alphabet {

    private final List<String> symbols;
    private final Map<Integer, Integer> ids = new HashMap<>();

    /**
     * @param symbols distinct single code points, in id order
     * @throws IllegalArgumentException naming the first symbol that is not one code point or
     *     repeats
     */
    public Alphabet(List<String> symbols) {
        if (symbols.size() < 2) {
            throw new IllegalArgumentException(
                    "an alphabet needs at least 2 characters, got " + symbols.size());
        }
        this.symbols = List.copyOf(symbols);
        for (int i = 0; i < this.symbols.size(); i++) {
            String symbol = this.symbols.get(i);
            if (symbol.isEmpty() || symbol.codePointCount(0, symbol.length()) != 1) {
                throw new IllegalArgumentException(
                        "symbol " + i + " (\"" + escape(symbol) + "\") is not one character");
            }
            if (ids.put(symbol.codePointAt(0), i) != null) {
                throw new IllegalArgumentException(
                        "symbol " + i + " ('" + escape(symbol) + "') appears twice");
            }
        }
    }

    /** The distinct characters of {@code text}, sorted by code point. */
    public static Alphabet of(String text) {
        TreeSet<Integer> codePoints = new TreeSet<>();
        text.codePoints().forEach(codePoints::add);
        List<String> symbols = new ArrayList<>();
        for (int codePoint : codePoints) {
            symbols.add(Character.toString(codePoint));
        }
        return new Alphabet(symbols);
    }

    public List<String> symbols() {
        return symbols;
    }

    public int size() {
        return symbols.size();
    }

    /** The id of a code point, or -1 when it is not in the alphabet. */
    public int id(int codePoint) {
        Integer id = ids.get(codePoint);
        return id == null ? -1 : id;
    }

    /**
     * The ids of {@code text}'s characters.
     *
     * @param what names the text in the error, e.g. a file name
     * @throws IllegalArgumentException naming the line and column of the first unknown character
     */
    public int[] encode(String text, String what) {
        int[] out = new int[text.codePointCount(0, text.length())];
        int line = 1;
        int column = 1;
        int n = 0;
        for (int i = 0; i < text.length(); ) {
            int codePoint = text.codePointAt(i);
            int id = id(codePoint);
            if (id < 0) {
                throw new IllegalArgumentException(
                        what
                                + " line "
                                + line
                                + " column "
                                + column
                                + ": character '"
                                + escape(Character.toString(codePoint))
                                + "' (U+"
                                + String.format("%04X", codePoint)
                                + ") is not in the model's alphabet of "
                                + symbols.size());
            }
            out[n++] = id;
            if (codePoint == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
            i += Character.charCount(codePoint);
        }
        return out;
    }

    /** {@code symbol} with control characters spelled out, for messages. */
    public static String escape(String symbol) {
        StringBuilder out = new StringBuilder();
        symbol.codePoints()
                .forEach(
                        c -> {
                            switch (c) {
                                case '\n' -> out.append("\\n");
                                case '\t' -> out.append("\\t");
                                case '\r' -> out.append("\\r");
                                default -> {
                                    if (Character.isISOControl(c)) {
                                        out.append(String.format("\\u%04x", c));
                                    } else {
                                        out.appendCodePoint(c);
                                    }
                                }
                            }
                        });
        return out.toString();
    }
}
