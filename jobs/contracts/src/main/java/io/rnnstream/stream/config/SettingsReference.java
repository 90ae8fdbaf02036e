package io.rnnstream.stream.config;

import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;

/**
 * A job's settings reference in Markdown, generated from its {@link ConfigOption}s; the files under
 * {@code docs/settings-*.md} are its output, and a test of each job fails when they are stale.
 */
public final class SettingsReference {

    private SettingsReference() {}

    public static String markdown(
            String title, String introduction, List<ConfigOption<?>> options) {
        StringBuilder md = new StringBuilder();
        md.append("# ").append(title).append("\n\n");
        md.append(
                "<!-- Generated from the job's ConfigOptions (SettingsReference); do not edit."
                        + " Regenerate with -Drnnstream.write-docs=true. -->\n\n");
        md.append(introduction.strip()).append("\n\n");
        md.append("| setting | type | default | meaning |\n");
        md.append("|---|---|---|---|\n");
        for (ConfigOption<?> option : options) {
            String defaultText = Settings.defaultText(option);
            md.append("| `")
                    .append(option.key())
                    .append("` | ")
                    .append(type(option))
                    .append(" | ")
                    .append(defaultText.isEmpty() ? "" : "`" + defaultText + "`")
                    .append(" | ")
                    .append(Settings.describe(option).replace("<", "&lt;").replace("|", "\\|"))
                    .append(" |\n");
        }
        return md.toString();
    }

    /** The type as a user writes it; options without a default are all text. */
    private static String type(ConfigOption<?> option) {
        if (!option.hasDefaultValue()) {
            return "text";
        }
        Object value = option.defaultValue();
        if (value instanceof Duration) {
            return "duration";
        }
        if (value instanceof Integer || value instanceof Long) {
            return "integer";
        }
        if (value instanceof Double) {
            return "number";
        }
        if (value instanceof Boolean) {
            return "boolean";
        }
        return "text";
    }
}
