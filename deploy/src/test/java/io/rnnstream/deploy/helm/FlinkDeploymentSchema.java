package io.rnnstream.deploy.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The FlinkDeployment custom resource's schema as the Flink Kubernetes Operator installs it, made
 * as strict as {@code kubectl apply --validate=strict}: unknown fields are errors instead of being
 * pruned. The CRD is the one of operator 1.13.0, the oldest release whose schema accepts
 * flinkVersion v2_2 and so the minimum the chart supports (copied from the operator's repository
 * into src/test/resources/crds, with its source and licence at the top of the file).
 */
final class FlinkDeploymentSchema {

    /** The oldest Flink Kubernetes Operator release the chart supports. */
    static final String MINIMUM_OPERATOR_VERSION = "1.13.0";

    private static final String CRD = "/crds/flinkdeployments.flink.apache.org-v1.yml";

    private static final JsonSchema SCHEMA = load();

    private FlinkDeploymentSchema() {}

    /** The flinkVersion values the CRD accepts. */
    static List<String> flinkVersions() {
        List<String> versions = new java.util.ArrayList<>();
        SCHEMA.getSchemaNode()
                .at("/properties/spec/properties/flinkVersion/enum")
                .forEach(v -> versions.add(v.asText()));
        return versions;
    }

    /** Every violation of the schema, empty when {@code flinkDeployment} is valid. */
    static List<String> violations(JsonNode flinkDeployment) {
        return SCHEMA.validate(flinkDeployment).stream()
                .map(ValidationMessage::getMessage)
                .toList();
    }

    private static JsonSchema load() {
        try (InputStream in = FlinkDeploymentSchema.class.getResourceAsStream(CRD)) {
            if (in == null) {
                throw new IllegalStateException(CRD + " not on the classpath");
            }
            JsonNode crd = Chart.YAML.readTree(in);
            JsonNode version = null;
            for (JsonNode v : crd.path("spec").path("versions")) {
                if (v.path("name").asText().equals("v1beta1")) {
                    version = v;
                }
            }
            if (version == null) {
                throw new IllegalStateException("no v1beta1 version in " + CRD);
            }
            ObjectNode schema =
                    (ObjectNode) version.path("schema").path("openAPIV3Schema").deepCopy();
            forbidUnknownFields(schema);
            // The API server checks these itself; CRD schemas leave them out.
            ObjectNode root = (ObjectNode) schema.path("properties");
            root.putObject("apiVersion").put("const", "flink.apache.org/v1beta1");
            root.putObject("kind").put("const", "FlinkDeployment");
            root.putObject("metadata").put("type", "object");
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(schema);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Kubernetes prunes fields a structural schema does not declare; strict field validation
     * rejects them. Mark every declared object closed, except where the CRD preserves unknown
     * fields on purpose.
     */
    private static void forbidUnknownFields(JsonNode node) {
        if (node instanceof ObjectNode object) {
            if (object.has("properties")
                    && !object.has("additionalProperties")
                    && !object.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
                object.put("additionalProperties", false);
            }
            object.elements().forEachRemaining(FlinkDeploymentSchema::forbidUnknownFields);
        } else if (node.isArray()) {
            node.elements().forEachRemaining(FlinkDeploymentSchema::forbidUnknownFields);
        }
    }
}
