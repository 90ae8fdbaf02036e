package io.rnnstream.stream.model;

import java.util.Arrays;

/**
 * What an announced model version does: {@code serving} versions answer on the results topic,
 * {@code shadow} versions run on the same events with their own state and answer on the shadow
 * topic only, and a {@code retired} shadow starts on no further sequence (those in progress finish
 * on it). Announced, the first two take a version into a role; {@code retired} takes a shadow out
 * of it ({@code rnnstream retire}).
 */
public enum ModelRole {
    SERVING("serving"),
    SHADOW("shadow"),
    RETIRED("retired");

    private final String code;

    ModelRole(String code) {
        this.code = code;
    }

    /** The name used in announcements, records and metric labels. */
    public String code() {
        return code;
    }

    /** The role named {@code code}; {@link IllegalArgumentException} names the choices. */
    public static ModelRole of(String code) {
        for (ModelRole role : values()) {
            if (role.code.equals(code)) {
                return role;
            }
        }
        throw new IllegalArgumentException(
                "expected one of "
                        + Arrays.stream(values()).map(ModelRole::code).toList()
                        + ", got '"
                        + code
                        + "'");
    }
}
