package io.rnnstream.retrain;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.stream.model.ModelAnnouncement;
import io.rnnstream.stream.model.ModelRole;
import io.rnnstream.stream.model.RoleAnnouncement;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The version in service, as the retraining job finds it on the model topic, follows the stream's
 * rule: shadows are on trial and never in service; a newer serving version or an explicit rollback
 * takes over.
 */
class ModelTopicTest {

    @Test
    void theVersionInServiceIsTheStreamsServingVersionNeverAShadow() {
        List<RoleAnnouncement> topic =
                List.of(serving(1, false), serving(2, false), shadow(3), shadow(4));
        assertThat(versions(topic)).containsExactly(2L, 1L);
    }

    @Test
    void aPromotedShadowAndARollbackAreInService() {
        List<RoleAnnouncement> promoted =
                List.of(serving(1, false), shadow(2), serving(2, false), shadow(3));
        assertThat(versions(promoted)).containsExactly(2L, 1L);
        List<RoleAnnouncement> rolledBack =
                List.of(serving(1, false), serving(2, false), serving(1, true), shadow(3));
        assertThat(versions(rolledBack)).containsExactly(1L, 2L);
    }

    private static List<Long> versions(List<RoleAnnouncement> topic) {
        return ModelTopic.servingFirst(topic).stream().map(ModelAnnouncement::version).toList();
    }

    private static RoleAnnouncement serving(long version, boolean rollback) {
        return new RoleAnnouncement(announcement(version), ModelRole.SERVING, rollback);
    }

    private static RoleAnnouncement shadow(long version) {
        return new RoleAnnouncement(announcement(version), ModelRole.SHADOW, false);
    }

    private static ModelAnnouncement announcement(long version) {
        return new ModelAnnouncement("m", version, "file:///m/" + version, "ab".repeat(32));
    }
}
