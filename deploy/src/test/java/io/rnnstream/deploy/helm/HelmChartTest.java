package io.rnnstream.deploy.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.rnnstream.retrain.RetrainConfig;
import io.rnnstream.stream.StreamJobConfig;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Helm chart under helm/rnnstream, linted and rendered offline by the real Helm library with
 * its default values and with every example values file, and each rendered manifest checked the way
 * the API server would check it.
 */
class HelmChartTest {

    @TempDir Path scratch;

    /** The default values and every file under helm/examples. */
    static Stream<Arguments> valueSets() {
        List<Arguments> sets = new ArrayList<>();
        sets.add(Arguments.of(Named.of("default values", null)));
        for (Path example : Chart.examples()) {
            sets.add(Arguments.of(Named.of(example.getFileName().toString(), example)));
        }
        return sets.stream();
    }

    @ParameterizedTest
    @MethodSource("valueSets")
    void lintStrictFindsNothing(Path values) throws IOException {
        LintResult lint = Chart.lint(values, scratch);
        assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
        assertThat(lint.getMessages())
                .as("helm lint --strict messages")
                .noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }

    @ParameterizedTest
    @MethodSource("valueSets")
    void everyManifestParsesStrictlyAndTheFlinkDeploymentMatchesTheOperatorSchema(Path values) {
        List<JsonNode> manifests = Chart.render(values, Map.of());
        assertThat(manifests).extracting(m -> m.path("kind").asText()).contains("FlinkDeployment");
        for (JsonNode manifest : manifests) {
            String kind = manifest.path("kind").asText();
            if (kind.equals("FlinkDeployment")) {
                assertThat(FlinkDeploymentSchema.violations(manifest))
                        .as("FlinkDeployment against the operator's CRD schema")
                        .isEmpty();
                StrictManifests.read(manifest.path("metadata"), ObjectMeta.class);
                podTemplates(manifest).forEach((name, template) -> StrictManifests.pod(template));
            } else {
                StrictManifests.read(manifest, StrictManifests.modelOf(kind));
            }
        }
    }

    @Test
    void theSchemaCheckRejectsAMisspeltFlinkDeploymentField() {
        ObjectNode deployment =
                Chart.single(Chart.render(null, Map.of()), "FlinkDeployment").deepCopy();
        ((ObjectNode) deployment.path("spec").path("job")).put("upgradeMod", "savepoint");
        ((ObjectNode) deployment.path("spec")).put("flinkVersion", "v3_0");
        assertThat(String.join("\n", FlinkDeploymentSchema.violations(deployment)))
                .contains("upgradeMod")
                .contains("flinkVersion");
    }

    @Test
    void theStrictReaderRejectsAMisplacedKubernetesField() {
        ObjectNode cronJob = Chart.single(Chart.render(null, Map.of()), "CronJob").deepCopy();
        ((ObjectNode) cronJob.path("spec")).put("restartPolicy", "Never");
        assertThatThrownBy(() -> StrictManifests.read(cronJob, StrictManifests.modelOf("CronJob")))
                .hasMessageContaining("restartPolicy");
    }

    @ParameterizedTest
    @MethodSource("valueSets")
    void everyPodMeetsTheRestrictedPodSecurityStandard(Path values) {
        Map<String, PodSpec> pods = podSpecs(Chart.render(values, Map.of()));
        assertThat(pods).isNotEmpty();
        for (Map.Entry<String, PodSpec> pod : pods.entrySet()) {
            assertThat(RestrictedPodSecurity.violations(pod.getKey(), pod.getValue()))
                    .as(pod.getKey())
                    .isEmpty();
        }
    }

    @Test
    void thePodSecurityCheckCatchesAnUnsafePod() {
        PodSpec pod = podSpecs(Chart.render(null, Map.of())).get("CronJob rnnstream-retrain");
        pod.getContainers().get(0).getSecurityContext().getCapabilities().getDrop().clear();
        pod.getContainers().get(0).getSecurityContext().setAllowPrivilegeEscalation(null);
        pod.setHostNetwork(true);
        Volume host = new VolumeBuilder().withName("host").withNewHostPath("/", null).build();
        pod.getVolumes().add(host);
        assertThat(String.join("\n", RestrictedPodSecurity.violations("unsafe", pod)))
                .contains("drop ALL")
                .contains("allowPrivilegeEscalation")
                .contains("hostNetwork")
                .contains("volume host has restricted type hostPath");
    }

    @ParameterizedTest
    @MethodSource("valueSets")
    void theRenderedRetrainPropertiesAreAcceptedByTheRetrainingJob(Path values) throws IOException {
        Properties retrain = configFile(Chart.render(values, Map.of()), "retrain.properties");
        Map<String, String> settings = new HashMap<>();
        retrain.forEach((k, v) -> settings.put(k.toString(), v.toString()));
        RetrainConfig config = RetrainConfig.fromMap(settings);
        assertThat(config.modelName()).isEqualTo("motion");
        assertThat(config.labelledTopic()).isEqualTo("labelled-events");
        assertThat(config.reportStore())
                .as("reports go to the model store: a pod's own file is lost with the pod")
                .isTrue();
    }

    @Test
    void retrainingWithoutAModelNameIsRefused() {
        Map<String, Object> sets = new LinkedHashMap<>();
        sets.put("job.defaultModel", "");
        sets.put("job.initialModelUri", "s3://models/motion/1");
        assertThatThrownBy(() -> Chart.render(null, sets))
                .hasMessageContaining("set retrain.modelName");
    }

    @ParameterizedTest
    @MethodSource("valueSets")
    void theRenderedStreamPropertiesAreAcceptedByTheStreamJob(Path values) throws IOException {
        List<JsonNode> manifests = Chart.render(values, Map.of());
        Properties stream = configFile(manifests, "stream.properties");
        Map<String, String> settings = new HashMap<>();
        stream.forEach((k, v) -> settings.put(k.toString(), v.toString()));
        StreamJobConfig config = StreamJobConfig.fromMap(settings);
        JsonNode job = Chart.single(manifests, "FlinkDeployment").path("spec").path("job");
        assertThat(job.path("parallelism").asInt()).isEqualTo(config.parallelism());
        assertThat(job.path("args").toString()).contains("/etc/rnnstream/config/stream.properties");
    }

    @Test
    void theFlinkDeploymentRunsTheJobInApplicationModeWithSavepointUpgrades() {
        JsonNode spec = Chart.single(Chart.render(null, Map.of()), "FlinkDeployment").path("spec");
        assertThat(spec.path("job").path("jarURI").asText())
                .isEqualTo("local:///opt/flink/usrlib/rnnstream-stream-job.jar");
        assertThat(spec.path("job").path("upgradeMode").asText()).isEqualTo("savepoint");
        JsonNode conf = spec.path("flinkConfiguration");
        assertThat(conf.path("execution.checkpointing.dir").asText()).isNotBlank();
        assertThat(conf.path("execution.checkpointing.savepoint-dir").asText()).isNotBlank();
        assertThat(conf.path("high-availability.type").asText()).isEqualTo("kubernetes");
        assertThat(conf.path("state.backend.type").asText()).isEqualTo("hashmap");
        assertThat(conf.has("metrics.reporter.prom.factory.class")).isFalse();
        // The serving step's SIMD kernels, on the TaskManagers only (env.java.opts.all holds
        // Flink's own Java 17 options in the image's configuration).
        assertThat(conf.path("env.java.opts.taskmanager").asText())
                .isEqualTo("--add-modules=jdk.incubator.vector");
        assertThat(conf.has("env.java.opts.all")).isFalse();
    }

    @Test
    void retrainingGetsAGenericPropertiesFileWithTheModelStoreAndKafka() throws IOException {
        Map<String, Object> sets = new LinkedHashMap<>();
        sets.put("retrain.config.train\\.max-epochs", "30");
        sets.put("retrain.config.gate\\.margin", "0.02");
        sets.put("modelStore.uri", "s3://models/rnnstream");
        List<JsonNode> manifests = Chart.render(null, sets);
        Properties retrain = configFile(manifests, "retrain.properties");
        assertThat(retrain)
                .containsEntry("train.max-epochs", "30")
                .containsEntry("gate.margin", "0.02")
                .containsEntry("topic.labelled", "labelled-events")
                .containsEntry("model.name", "motion")
                .containsEntry("model.store", "s3://models/rnnstream")
                .containsEntry("bootstrap.servers", "kafka:9092")
                .containsEntry("topic.models", "models");
        assertThat(Chart.ofKind(manifests, "PersistentVolumeClaim"))
                .as("no model volume when the store is a URI")
                .extracting(m -> m.path("metadata").path("name").asText())
                .containsExactly("rnnstream-flink-data");
        JsonNode container =
                Chart.single(manifests, "CronJob")
                        .at("/spec/jobTemplate/spec/template/spec/containers/0");
        assertThat(container.has("command"))
                .as("no command: the image's entrypoint (plugins, Flink configuration) runs first")
                .isFalse();
        assertThat(container.path("args").toString())
                .isEqualTo(
                        "[\"rnnstream\",\"retrain\",\"--config\",\"/etc/rnnstream/config/retrain.properties\","
                                + "\"--no-progress\"]");
    }

    @Test
    void kafkaCredentialsComeFromTheExistingSecretAndAreNeverRendered() throws IOException {
        Path production = Chart.root().resolve("helm/examples/production.yaml");
        List<JsonNode> manifests = Chart.render(production, Map.of());
        assertThat(Chart.ofKind(manifests, "Secret")).isEmpty();
        Map<String, PodSpec> pods = podSpecs(manifests);
        for (Map.Entry<String, PodSpec> pod : pods.entrySet()) {
            assertThat(pod.getValue().getVolumes())
                    .as(pod.getKey())
                    .anyMatch(
                            v ->
                                    v.getSecret() != null
                                            && v.getSecret()
                                                    .getSecretName()
                                                    .equals("rnnstream-kafka"));
        }
        Properties stream = configFile(manifests, "stream.properties");
        assertThat(stream)
                .containsEntry(
                        "kafka.config.providers.secret.class",
                        "org.apache.kafka.common.config.provider.DirectoryConfigProvider")
                .containsEntry(
                        "kafka.sasl.jaas.config", "${secret:/etc/rnnstream/kafka:sasl.jaas.config}")
                .containsEntry("kafka.security.protocol", "SASL_SSL");
    }

    /**
     * The rendered Kafka settings, given to a real Kafka producer configuration as the job's sinks
     * do, resolve the credential from the mounted Secret file through the config provider.
     */
    @Test
    void kafkaClientsResolveTheCredentialFromTheMountedSecretFiles() throws IOException {
        Path mounted = Files.createDirectories(scratch.resolve("kafka-secret"));
        String jaas =
                "org.apache.kafka.common.security.scram.ScramLoginModule required"
                        + " username=\"rnnstream\" password=\"s3cr3t-for-test\";";
        Files.writeString(mounted.resolve("sasl.jaas.config"), jaas);
        Map<String, Object> sets = new LinkedHashMap<>();
        sets.put("kafka.credentials.existingSecret", "rnnstream-kafka");
        sets.put("kafka.credentials.mountPath", mounted.toString());
        sets.put(
                "kafka.credentials.properties.sasl\\.jaas\\.config",
                "${secret:" + mounted + ":sasl.jaas.config}");
        sets.put("kafka.properties.security\\.protocol", "SASL_SSL");
        sets.put("kafka.properties.sasl\\.mechanism", "SCRAM-SHA-512");
        List<JsonNode> manifests = Chart.render(null, sets);
        assertThat(manifests.toString()).doesNotContain("s3cr3t-for-test");

        Map<String, Object> producer = new HashMap<>();
        configFile(manifests, "stream.properties")
                .forEach(
                        (k, v) -> {
                            if (k.toString().startsWith("kafka.")) {
                                producer.put(k.toString().substring("kafka.".length()), v);
                            }
                        });
        producer.put("bootstrap.servers", "localhost:9092");
        producer.put("key.serializer", ByteArraySerializer.class.getName());
        producer.put("value.serializer", ByteArraySerializer.class.getName());
        ProducerConfig resolved = new ProducerConfig(producer);
        assertThat(resolved.getPassword("sasl.jaas.config").value()).isEqualTo(jaas);
        assertThat(resolved.getString("security.protocol")).isEqualTo("SASL_SSL");
    }

    @Test
    void theNetworkPolicyDeniesByDefaultAndOpensFlinkKafkaAndMetricsPorts() {
        Path production = Chart.root().resolve("helm/examples/production.yaml");
        List<JsonNode> manifests = Chart.render(production, Map.of());
        JsonNode policy = Chart.single(manifests, "NetworkPolicy").path("spec");
        assertThat(policy.path("policyTypes").toString()).contains("Ingress").contains("Egress");
        List<Integer> ingressPorts = new ArrayList<>();
        policy.path("ingress")
                .forEach(
                        rule ->
                                rule.path("ports")
                                        .forEach(p -> ingressPorts.add(p.path("port").asInt())));
        assertThat(ingressPorts).containsOnly(6121, 6122, 6123, 6124, 8081, 9249);
        assertThat(policy.path("egress").toString()).contains("9093").contains("10.20.0.0/16");
        JsonNode conf =
                Chart.single(manifests, "FlinkDeployment").path("spec").path("flinkConfiguration");
        assertThat(conf.path("metrics.reporter.prom.port").asText()).isEqualTo("9249");
        assertThat(Chart.ofKind(Chart.render(null, Map.of()), "NetworkPolicy")).isEmpty();
    }

    @Test
    void aPodMonitorIsRenderedOnlyWhenAskedAndScrapesTheMetricsPortOfTheFlinkPods() {
        assertThat(Chart.ofKind(Chart.render(null, Map.of()), "PodMonitor")).isEmpty();
        assertThat(
                        Chart.ofKind(
                                Chart.render(null, Map.of("prometheus.enabled", true)),
                                "PodMonitor"))
                .as("off by default, also with the reporter on")
                .isEmpty();
        Map<String, Object> sets = new LinkedHashMap<>();
        sets.put("prometheus.enabled", true);
        sets.put("prometheus.port", 9300);
        sets.put("prometheus.podMonitor.enabled", true);
        sets.put("prometheus.podMonitor.interval", "15s");
        sets.put("prometheus.podMonitor.labels.release", "kube-prometheus-stack");
        List<JsonNode> manifests = Chart.render(null, sets);

        JsonNode monitor = Chart.single(manifests, "PodMonitor");
        PodMonitor read = StrictManifests.read(monitor, PodMonitor.class);
        assertThat(read.apiVersion()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(read.metadata().getLabels())
                .containsEntry("release", "kube-prometheus-stack")
                .containsEntry("app.kubernetes.io/instance", "rnnstream");
        JsonNode pod = Chart.single(manifests, "FlinkDeployment").path("spec").path("podTemplate");
        Map<String, String> podLabels = new HashMap<>();
        pod.path("metadata")
                .path("labels")
                .fields()
                .forEachRemaining(e -> podLabels.put(e.getKey(), e.getValue().asText()));
        assertThat(read.spec().selector().getMatchLabels())
                .as("selects the JobManager and TaskManager pods")
                .isNotEmpty()
                .allSatisfy((key, value) -> assertThat(podLabels).containsEntry(key, value));
        assertThat(read.spec().selector().getMatchLabels())
                .containsEntry("app.kubernetes.io/component", "flink");
        assertThat(read.spec().podMetricsEndpoints()).hasSize(1);
        PodMonitor.Endpoint endpoint = read.spec().podMetricsEndpoints().get(0);
        assertThat(endpoint.interval()).isEqualTo("15s");
        JsonNode port = pod.path("spec").path("containers").get(0).path("ports").get(0);
        assertThat(endpoint.port())
                .as("the container port of the reporter, by name")
                .isEqualTo(port.path("name").asText());
        assertThat(port.path("containerPort").asInt()).isEqualTo(9300);

        assertThatThrownBy(() -> Chart.render(null, Map.of("prometheus.podMonitor.enabled", true)))
                .hasMessageContaining("prometheus.podMonitor.enabled needs prometheus.enabled");
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
        "job.parallelism, two, parallelism",
        "job.paralelism, 2, paralelism",
        "flink.stateBackend, rocks, stateBackend",
        "image.tag, latest, tag",
        "retrain.enabled, sometimes, enabled",
        "kafka.topics.dlq, dead, dlq",
        "unknownTopLevel, 1, unknownTopLevel",
        "bootstrap.topics.partitions, 0, partitions",
        "bootstrap.topcs.create, true, topcs",
        "model.initial, models/motion/1, initial",
        "logging.level, LOUD, level",
        "logging.loggers.org\\.apache\\.kafka, LOUD, org.apache.kafka",
        "tests.timeoutSeconds, 1, timeoutSeconds",
        "serviceAccount.annotation.a, b, annotation",
        "prometheus.podMonitor.interval, soon, interval",
        "prometheus.podMonitor.enable, true, enable"
    })
    void badValuesAreRejectedByTheSchemaNamingTheKey(String key, String value, String named) {
        assertThatThrownBy(() -> Chart.render(null, Map.of(key, value)))
                .hasMessageContaining("schema")
                .hasMessageContaining(named);
    }

    @Test
    void aJobWithoutAnyModelIsRefusedWithAClearMessage() {
        assertThatThrownBy(() -> Chart.render(null, Map.of("job.defaultModel", "")))
                .hasMessageContaining("set job.initialModelUri")
                .hasMessageContaining("job.defaultModel");
    }

    /** Every pod spec the chart renders, by "Kind name" (plus the pod template's role). */
    static Map<String, PodSpec> podSpecs(List<JsonNode> manifests) {
        Map<String, PodSpec> pods = new LinkedHashMap<>();
        for (JsonNode manifest : manifests) {
            String name =
                    manifest.path("kind").asText()
                            + " "
                            + manifest.path("metadata").path("name").asText();
            switch (manifest.path("kind").asText()) {
                case "FlinkDeployment" ->
                        podTemplates(manifest)
                                .forEach(
                                        (role, template) ->
                                                pods.put(
                                                        name + " " + role,
                                                        StrictManifests.pod(template).getSpec()));
                case "CronJob" ->
                        pods.put(
                                name,
                                StrictManifests.pod(manifest.at("/spec/jobTemplate/spec/template"))
                                        .getSpec());
                case "Job" ->
                        pods.put(
                                name, StrictManifests.pod(manifest.at("/spec/template")).getSpec());
                case "Pod" -> pods.put(name, StrictManifests.pod(manifest).getSpec());
                case "Deployment", "StatefulSet", "DaemonSet" ->
                        throw new AssertionError("add a pod security check for " + name);
                default -> {}
            }
        }
        return pods;
    }

    /** The pod templates of a FlinkDeployment: common, JobManager and TaskManager. */
    private static Map<String, JsonNode> podTemplates(JsonNode flinkDeployment) {
        Map<String, JsonNode> templates = new LinkedHashMap<>();
        JsonNode spec = flinkDeployment.path("spec");
        templates.put("podTemplate", spec.path("podTemplate"));
        for (String role : List.of("jobManager", "taskManager")) {
            if (spec.path(role).has("podTemplate")) {
                templates.put(role + ".podTemplate", spec.path(role).path("podTemplate"));
            }
        }
        if (templates.get("podTemplate").isMissingNode()) {
            throw new AssertionError("the FlinkDeployment has no pod template");
        }
        return templates;
    }

    /** A properties file of the release's ConfigMap (rnnstream-config). */
    private static Properties configFile(List<JsonNode> manifests, String key) throws IOException {
        return configFile(manifests, "rnnstream-config", key);
    }

    static Properties configFile(List<JsonNode> manifests, String configMap, String key)
            throws IOException {
        Properties properties = new Properties();
        properties.load(new StringReader(configMapText(manifests, configMap, key)));
        return properties;
    }

    static String configMapText(List<JsonNode> manifests, String configMap, String key) {
        JsonNode data = named(manifests, "ConfigMap", configMap).path("data").path(key);
        assertThat(data.isTextual()).as("ConfigMap %s key %s", configMap, key).isTrue();
        return data.asText();
    }

    static JsonNode named(List<JsonNode> manifests, String kind, String name) {
        return Chart.ofKind(manifests, kind).stream()
                .filter(m -> m.path("metadata").path("name").asText().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " rendered"));
    }
}
