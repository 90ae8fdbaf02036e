package io.rnnstream.stream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AnnouncementParserTest {

    private static final String SHA = "ab".repeat(32);

    @Test
    void readsAnAnnouncement() {
        ModelAnnouncement announcement = AnnouncementParser.parse(json("sentiment", "3"));
        assertThat(announcement)
                .isEqualTo(new ModelAnnouncement("sentiment", 3, "file:///m/3", SHA));
    }

    @Test
    void refusesANameTheJobCouldNotKeyStateBy() {
        assertThatThrownBy(() -> AnnouncementParser.parse(json("senti\\u0000ment", "3")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("field name")
                .hasMessageContaining("control characters");
    }

    @Test
    void refusesAVersionBelowOne() {
        assertThatThrownBy(() -> AnnouncementParser.parse(json("sentiment", "0")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("field version");
    }

    private static byte[] json(String name, String version) {
        return ("{\"name\":\""
                        + name
                        + "\",\"version\":"
                        + version
                        + ",\"uri\":\"file:///m/3\",\"sha256\":\""
                        + SHA
                        + "\"}")
                .getBytes(StandardCharsets.UTF_8);
    }
}
