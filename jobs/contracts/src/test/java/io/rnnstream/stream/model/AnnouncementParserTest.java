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

    @Test
    void anAnnouncementWithoutARoleServes() {
        RoleAnnouncement announced = AnnouncementParser.parseRole(json("sentiment", "3"));
        assertThat(announced.role()).isEqualTo(ModelRole.SERVING);
        assertThat(announced.rollback()).isFalse();
    }

    @Test
    void readsAShadowARetirementAndARollbackAndWritesThemBack() {
        ModelAnnouncement version = new ModelAnnouncement("sentiment", 3, "file:///m/3", SHA);
        for (RoleAnnouncement announced :
                new RoleAnnouncement[] {
                    new RoleAnnouncement(version, ModelRole.SHADOW, false),
                    new RoleAnnouncement(version, ModelRole.RETIRED, false),
                    new RoleAnnouncement(version, ModelRole.SERVING, true),
                    RoleAnnouncement.serving(version)
                }) {
            assertThat(AnnouncementParser.parseRole(AnnouncementParser.toJson(announced)))
                    .isEqualTo(announced);
        }
        assertThat(new String(AnnouncementParser.toJson(RoleAnnouncement.serving(version))))
                .as("a plain serving announcement is written as before roles existed")
                .doesNotContain("role");
    }

    @Test
    void refusesAnUnknownRoleNamingTheFieldAndTheChoices() {
        assertThatThrownBy(() -> AnnouncementParser.parseRole(withExtra(",\"role\":\"canary\"")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("field role")
                .hasMessageContaining("[serving, shadow, retired]")
                .hasMessageContaining("canary");
        assertThatThrownBy(() -> AnnouncementParser.parseRole(withExtra(",\"role\":7")))
                .hasMessageContaining("field role");
    }

    @Test
    void refusesARollbackThatIsNotABooleanOrNotServing() {
        assertThatThrownBy(() -> AnnouncementParser.parseRole(withExtra(",\"rollback\":\"yes\"")))
                .hasMessageContaining("field rollback")
                .hasMessageContaining("true or false");
        assertThatThrownBy(
                        () ->
                                AnnouncementParser.parseRole(
                                        withExtra(",\"role\":\"shadow\",\"rollback\":true")))
                .hasMessageContaining("field rollback")
                .hasMessageContaining("only a serving announcement");
    }

    @Test
    void keysServingByNameAndEachShadowAndItsRetirementByItsVersion() {
        ModelAnnouncement version = new ModelAnnouncement("sentiment", 3, "file:///m/3", SHA);
        assertThat(new String(RoleAnnouncement.serving(version).kafkaKey())).isEqualTo("sentiment");
        assertThat(new String(new RoleAnnouncement(version, ModelRole.SHADOW, false).kafkaKey()))
                .isEqualTo("sentiment#3#shadow");
        assertThat(new String(new RoleAnnouncement(version, ModelRole.RETIRED, false).kafkaKey()))
                .as("compaction keeps the retirement instead of the shadow")
                .isEqualTo("sentiment#3#shadow");
    }

    private static byte[] withExtra(String fields) {
        String base = new String(json("sentiment", "3"), StandardCharsets.UTF_8);
        return (base.substring(0, base.length() - 1) + fields + "}")
                .getBytes(StandardCharsets.UTF_8);
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
