package io.rnnstream.stream.model;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rnnstream.core.artifact.Sha256;
import java.io.IOException;

/**
 * Parses and validates model announcements; problems are reported as {@link
 * IllegalArgumentException}.
 */
public final class AnnouncementParser {

    private static final ObjectMapper MAPPER =
            JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
    private static final int MAX_BYTES = 64 * 1024;

    private AnnouncementParser() {}

    /** The announced version; its role is validated but not returned (see {@link #parseRole}). */
    public static ModelAnnouncement parse(byte[] value) {
        return parseRole(value).version();
    }

    /**
     * The announced version with its role: {@code role} is {@code "serving"} (also when absent) or
     * {@code "shadow"}, {@code rollback} an optional boolean allowed only on serving announcements.
     */
    public static RoleAnnouncement parseRole(byte[] value) {
        if (value == null || value.length == 0) {
            throw new IllegalArgumentException("model announcement has no value");
        }
        if (value.length > MAX_BYTES) {
            throw new IllegalArgumentException(
                    "model announcement has " + value.length + " bytes, the limit is " + MAX_BYTES);
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(value);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "model announcement is not valid JSON: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("model announcement must be a JSON object");
        }
        String name = text(node, "name");
        String uri = text(node, "uri");
        String sha = text(node, "sha256");
        JsonNode version = node.get("version");
        if (version == null || !version.isIntegralNumber() || version.asLong() < 1) {
            throw new IllegalArgumentException(
                    "model announcement field version: expected an integer >= 1");
        }
        if (!Sha256.isDigest(sha)) {
            throw new IllegalArgumentException(
                    "model announcement field sha256: expected 64 lower-case hex digits");
        }
        ModelAnnouncement announcement = new ModelAnnouncement(name, version.asLong(), uri, sha);
        ModelRole role = ModelRole.SERVING;
        JsonNode roleNode = node.get("role");
        if (roleNode != null && !roleNode.isNull()) {
            if (!roleNode.isTextual()) {
                throw new IllegalArgumentException(
                        "model announcement field role: expected \"serving\", \"shadow\" or"
                                + " \"retired\"");
            }
            try {
                role = ModelRole.of(roleNode.asText());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "model announcement field role: " + e.getMessage());
            }
        }
        JsonNode rollback = node.get("rollback");
        if (rollback != null && !rollback.isNull() && !rollback.isBoolean()) {
            throw new IllegalArgumentException(
                    "model announcement field rollback: expected true or false");
        }
        return new RoleAnnouncement(
                announcement, role, rollback != null && rollback.asBoolean(false));
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new IllegalArgumentException(
                    "model announcement field " + field + ": expected a non-empty string");
        }
        return value.asText();
    }

    /** The JSON form of a serving announcement, for producers of announcements. */
    public static byte[] toJson(ModelAnnouncement announcement) {
        try {
            return MAPPER.writeValueAsBytes(announcement);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The JSON form with the role; a serving announcement is written without {@code role}, as
     * before roles existed, so readers of older releases still take it.
     */
    public static byte[] toJson(RoleAnnouncement announced) {
        if (announced.role() == ModelRole.SERVING && !announced.rollback()) {
            return toJson(announced.version());
        }
        ObjectNode node = MAPPER.valueToTree(announced.version());
        node.put("role", announced.role().code());
        if (announced.rollback()) {
            node.put("rollback", true);
        }
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
