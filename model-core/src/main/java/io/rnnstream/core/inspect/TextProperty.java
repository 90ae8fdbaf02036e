package io.rnnstream.core.inspect;

import java.util.List;

/**
 * A simple property of a text, one number per character, that a hidden unit may track: inside a
 * quotation, position in the line, bracket and brace depth, indentation, inside a comment. Each is
 * computed from the characters read so far and the current one, as a left-to-right model sees them.
 */
public enum TextProperty {
    /** 1 from an opening double quote to its closing one (both included), else 0. */
    IN_QUOTE("inside a quotation") {
        @Override
        double[] values(String text) {
            double[] out = new double[text.length()];
            boolean inside = false;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '"') {
                    out[i] = 1;
                    inside = !inside;
                } else {
                    out[i] = inside ? 1 : 0;
                }
            }
            return out;
        }
    },
    /** Characters since the last line break: 0 for a line's first character. */
    POSITION_IN_LINE("position in the line") {
        @Override
        double[] values(String text) {
            double[] out = new double[text.length()];
            int column = 0;
            for (int i = 0; i < text.length(); i++) {
                out[i] = column;
                column = text.charAt(i) == '\n' ? 0 : column + 1;
            }
            return out;
        }
    },
    /** Open ( [ { not yet closed, counting the current character. */
    BRACKET_DEPTH("bracket depth ( [ {") {
        @Override
        double[] values(String text) {
            return depth(text, "([{", ")]}");
        }
    },
    /** Open braces { not yet closed: the nesting of code blocks. */
    BRACE_DEPTH("brace depth {") {
        @Override
        double[] values(String text) {
            return depth(text, "{", "}");
        }
    },
    /** Leading spaces of the current line (a tab counts 4). */
    INDENTATION("indentation") {
        @Override
        double[] values(String text) {
            double[] out = new double[text.length()];
            int indent = 0;
            boolean leading = true;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '\n') {
                    out[i] = indent;
                    indent = 0;
                    leading = true;
                    continue;
                }
                if (leading && (c == ' ' || c == '\t')) {
                    indent += c == '\t' ? 4 : 1;
                } else {
                    leading = false;
                }
                out[i] = indent;
            }
            return out;
        }
    },
    /** 1 inside a {@code //} line comment or a {@code /* *}{@code /} block comment, else 0. */
    IN_COMMENT("inside a comment") {
        @Override
        double[] values(String text) {
            double[] out = new double[text.length()];
            boolean line = false;
            boolean block = false;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                char next = i + 1 < text.length() ? text.charAt(i + 1) : 0;
                if (!line && !block && c == '/' && next == '/') {
                    line = true;
                } else if (!line && !block && c == '/' && next == '*') {
                    block = true;
                }
                out[i] = line || block ? 1 : 0;
                if (line && c == '\n') {
                    line = false;
                    out[i] = 0;
                } else if (block && c == '/' && i > 0 && text.charAt(i - 1) == '*') {
                    block = false;
                }
            }
            return out;
        }
    };

    private final String description;

    TextProperty(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }

    /**
     * The property per UTF-16 character of {@code text}; use {@link #perSymbol} for a text with
     * characters outside the Basic Multilingual Plane.
     */
    abstract double[] values(String text);

    /** The property per code point of {@code text}, aligned with a character model's symbols. */
    public double[] perSymbol(String text) {
        double[] perChar = values(text);
        double[] out = new double[text.codePointCount(0, text.length())];
        int n = 0;
        for (int i = 0; i < text.length(); i += Character.charCount(text.codePointAt(i))) {
            out[n++] = perChar[i];
        }
        return out;
    }

    /** All properties, in report order. */
    public static List<TextProperty> all() {
        return List.of(values());
    }

    private static double[] depth(String text, String open, String close) {
        double[] out = new double[text.length()];
        int depth = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (open.indexOf(c) >= 0) {
                depth++;
                out[i] = depth;
            } else if (close.indexOf(c) >= 0) {
                out[i] = depth;
                depth = Math.max(0, depth - 1);
            } else {
                out[i] = depth;
            }
        }
        return out;
    }
}
