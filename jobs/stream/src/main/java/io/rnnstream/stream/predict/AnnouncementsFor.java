package io.rnnstream.stream.predict;

import io.rnnstream.stream.event.RawRecord;
import io.rnnstream.stream.model.AnnouncementParser;
import io.rnnstream.stream.model.ModelAnnouncement;
import java.util.Set;
import org.apache.flink.api.common.functions.FilterFunction;

/**
 * Keeps the announcements that are not for the language models: the classifier path's share. An
 * announcement that does not parse is kept, so that the classifier path reports it as it always
 * has.
 */
public final class AnnouncementsFor implements FilterFunction<RawRecord> {

    private static final long serialVersionUID = 1L;

    private final Set<String> languageModels;

    private AnnouncementsFor(Set<String> languageModels) {
        this.languageModels = Set.copyOf(languageModels);
    }

    /** Passes every announcement except those naming one of {@code languageModels}. */
    public static AnnouncementsFor classifiersBesides(Set<String> languageModels) {
        return new AnnouncementsFor(languageModels);
    }

    @Override
    public boolean filter(RawRecord record) {
        try {
            ModelAnnouncement announcement = AnnouncementParser.parse(record.value());
            return !languageModels.contains(announcement.name());
        } catch (IllegalArgumentException e) {
            return true;
        }
    }
}
