package io.rnnstream.deploy.helm;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.MapperConfig;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.util.Map;

/**
 * Reads rendered manifests into fabric8's Kubernetes model classes so strictly that a misspelt or
 * misplaced field fails: unknown properties are errors, and the models' catch-all {@code
 * additionalProperties} any-setters are switched off (they would swallow unknown fields).
 */
final class StrictManifests {

    private static final Map<String, Class<?>> KINDS =
            Map.of(
                    "ConfigMap", ConfigMap.class,
                    "PersistentVolumeClaim", PersistentVolumeClaim.class,
                    "ServiceAccount", ServiceAccount.class,
                    "Role", Role.class,
                    "RoleBinding", RoleBinding.class,
                    "CronJob", CronJob.class,
                    "Job", Job.class,
                    "Pod", Pod.class,
                    "NetworkPolicy", NetworkPolicy.class,
                    "PodMonitor", PodMonitor.class);

    private static final ObjectMapper STRICT =
            new ObjectMapper()
                    .setAnnotationIntrospector(new NoCatchAll())
                    .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                    .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS);

    private StrictManifests() {}

    /** The model class of a rendered kind; the FlinkDeployment is checked by its CRD schema. */
    static Class<?> modelOf(String kind) {
        Class<?> model = KINDS.get(kind);
        if (model == null) {
            throw new AssertionError("the chart renders a kind this test does not know: " + kind);
        }
        return model;
    }

    static <T> T read(JsonNode manifest, Class<T> type) {
        try {
            return STRICT.treeToValue(manifest, type);
        } catch (Exception e) {
            throw new AssertionError(
                    manifest.path("kind").asText()
                            + " "
                            + manifest.path("metadata").path("name").asText()
                            + " does not parse strictly as "
                            + type.getSimpleName()
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }

    /** A pod template (e.g. a FlinkDeployment's) read strictly as a Pod. */
    static Pod pod(JsonNode podTemplate) {
        return read(podTemplate, Pod.class);
    }

    /** Ignores {@code @JsonAnySetter} and {@code @JsonIgnoreProperties}. */
    private static final class NoCatchAll extends JacksonAnnotationIntrospector {
        @Override
        public Boolean hasAnySetter(Annotated annotated) {
            return Boolean.FALSE;
        }

        @Override
        public JsonIgnoreProperties.Value findPropertyIgnoralByName(
                MapperConfig<?> config, Annotated annotated) {
            return JsonIgnoreProperties.Value.empty();
        }
    }
}
