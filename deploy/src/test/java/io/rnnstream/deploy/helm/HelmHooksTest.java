package io.rnnstream.deploy.helm;

import static io.rnnstream.deploy.helm.HelmChartTest.configFile;
import static io.rnnstream.deploy.helm.HelmChartTest.configMapText;
import static io.rnnstream.deploy.helm.HelmChartTest.named;
import static io.rnnstream.deploy.helm.HelmChartTest.podSpecs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.rnnstream.retrain.RetrainConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the chart does around the stream job: the pre-install / pre-upgrade hook that creates the
 * topics and publishes the first model, the retraining CronJob that keeps the image's entrypoint,
 * the {@code helm test} pod, and the values every pod shares. The hook and test scripts are run
 * here, as rendered, against a stand-in {@code rnnstream} command that records its calls.
 */
class HelmHooksTest {

    private static final String MODEL_URL = "https://models.example.com/rnnstream/motion/1";

    @TempDir Path scratch;

    @Test
    void theStandInRendersExactlyTheHookResourcesThatHelmJavaLeavesOut() {
        List<String> all = names(Chart.render(null, Map.of()));
        List<String> release = names(Chart.renderWithoutHooks(null, Map.of()));
        List<String> hooks = new ArrayList<>(all);
        hooks.removeAll(release);
        assertThat(all).containsAll(release);
        assertThat(hooks)
                .containsExactlyInAnyOrder(
                        "ServiceAccount rnnstream-bootstrap",
                        "ConfigMap rnnstream-bootstrap",
                        "Job rnnstream-bootstrap",
                        "PersistentVolumeClaim rnnstream-models",
                        "ConfigMap rnnstream-test",
                        "Pod rnnstream-test-classification");
    }

    @Test
    void theHookResourcesExistBeforeTheHookJobRunsOnInstallAndUpgrade() {
        List<JsonNode> manifests = Chart.render(null, Map.of("model.initial", MODEL_URL));
        Map<String, Integer> weights = new LinkedHashMap<>();
        for (JsonNode hook : Chart.hooks(manifests, "pre-install")) {
            JsonNode annotations = hook.path("metadata").path("annotations");
            weights.put(
                    hook.path("kind").asText() + " " + hook.path("metadata").path("name").asText(),
                    Integer.parseInt(annotations.path("helm.sh/hook-weight").asText()));
        }
        // Helm creates hooks in weight order and waits for the Job: claim, account, settings, Job.
        assertThat(weights)
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of(
                                "PersistentVolumeClaim rnnstream-models", -20,
                                "ServiceAccount rnnstream-bootstrap", -10,
                                "ConfigMap rnnstream-bootstrap", -5,
                                "Job rnnstream-bootstrap", 0));
        assertThat(Chart.hooks(manifests, "pre-upgrade"))
                .extracting(m -> m.path("kind").asText())
                .containsExactlyInAnyOrder("ServiceAccount", "ConfigMap", "Job");
        JsonNode claim = named(manifests, "PersistentVolumeClaim", "rnnstream-models");
        assertThat(claim.at("/metadata/annotations/helm.sh~1resource-policy").asText())
                .isEqualTo("keep");
        assertThat(claim.at("/metadata/annotations/helm.sh~1hook-delete-policy").asText())
                .as("Helm's default hook policy, before-hook-creation, would delete the models")
                .isEqualTo("hook-failed");

        PodSpec hook = podSpecs(manifests).get("Job rnnstream-bootstrap");
        assertThat(hook.getServiceAccountName()).isEqualTo("rnnstream-bootstrap");
        assertThat(hook.getAutomountServiceAccountToken()).isFalse();
        assertThat(hook.getVolumes())
                .anyMatch(
                        v ->
                                v.getPersistentVolumeClaim() != null
                                        && v.getPersistentVolumeClaim()
                                                .getClaimName()
                                                .equals("rnnstream-models"));
        assertThat(hook.getVolumes())
                .anyMatch(
                        v ->
                                v.getConfigMap() != null
                                        && v.getConfigMap()
                                                .getName()
                                                .equals("rnnstream-bootstrap"));
    }

    @Test
    void theHookCreatesTheTopicsThenPublishesAndAnnouncesTheFirstModel() throws Exception {
        List<JsonNode> manifests = Chart.render(null, Map.of("model.initial", MODEL_URL));
        Run run = runHookScript(manifests, Map.of());
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.calls())
                .containsExactly(
                        "topics create --config /etc/rnnstream/config/bootstrap.properties",
                        "publish --config /etc/rnnstream/config/bootstrap.properties --model "
                                + MODEL_URL
                                + " --name motion");
    }

    @Test
    void withoutAFirstModelTheHookOnlyCreatesTopicsAndWithTopicCreationOffNothing()
            throws Exception {
        Run topicsOnly = runHookScript(Chart.render(null, Map.of()), Map.of());
        assertThat(topicsOnly.exitCode()).as(topicsOnly.output()).isZero();
        assertThat(topicsOnly.calls())
                .containsExactly(
                        "topics create --config /etc/rnnstream/config/bootstrap.properties");

        Run nothing =
                runHookScript(
                        Chart.render(null, Map.of("bootstrap.topics.create", false)), Map.of());
        assertThat(nothing.exitCode()).as(nothing.output()).isZero();
        assertThat(nothing.calls()).isEmpty();
    }

    @Test
    void aFailingStepFailsTheHookSoTheInstallStops() throws Exception {
        List<JsonNode> manifests = Chart.render(null, Map.of("model.initial", MODEL_URL));
        Run run = runHookScript(manifests, Map.of("FAIL_ON", "topics"));
        assertThat(run.exitCode()).isNotZero();
        assertThat(run.calls())
                .as("no model is published when the topics could not be created")
                .noneMatch(c -> c.startsWith("publish"));
    }

    /**
     * The file {@code rnnstream topics create} and {@code rnnstream publish} read names every topic
     * exactly as the job settings do, so the topics created are the topics the jobs use.
     */
    @Test
    void theHookSettingsNameTheTopicsAndStoreTheJobsUse() throws IOException {
        Map<String, Object> sets = new LinkedHashMap<>();
        sets.put("kafka.topics.events", "ev");
        sets.put("kafka.topics.models", "mo");
        sets.put("kafka.topics.labelled", "la");
        sets.put("bootstrap.topics.partitions", 6);
        sets.put("bootstrap.topics.replicationFactor", 3);
        sets.put("modelStore.uri", "s3://models/rnnstream");
        sets.put("kafka.properties.security\\.protocol", "SASL_SSL");
        List<JsonNode> manifests = Chart.render(null, sets);
        Properties hook = configFile(manifests, "rnnstream-bootstrap", "bootstrap.properties");
        Properties stream = configFile(manifests, "rnnstream-config", "stream.properties");
        Properties retrain = configFile(manifests, "rnnstream-config", "retrain.properties");
        for (Properties job : List.of(stream, retrain)) {
            for (String key : job.stringPropertyNames()) {
                if (key.startsWith("topic.")
                        || key.startsWith("kafka.")
                        || key.equals("bootstrap.servers")
                        || key.equals("model.store")) {
                    assertThat(hook).as(key).containsEntry(key, job.getProperty(key));
                }
            }
        }
        assertThat(hook)
                .containsEntry("topic.events", "ev")
                .containsEntry("topic.models", "mo")
                .containsEntry("topic.labelled", "la")
                .containsEntry("topic.results", "classifications")
                .containsEntry("topic.dead-letters", "dead-letters")
                .containsEntry("topics.partitions", "6")
                .containsEntry("topics.replication-factor", "3")
                .containsEntry("model.store", "s3://models/rnnstream");
    }

    @Test
    void aFirstModelWithoutTheModelNameTheJobServesIsRefused() {
        Map<String, Object> sets = new LinkedHashMap<>();
        sets.put("model.initial", MODEL_URL);
        sets.put("job.defaultModel", "");
        sets.put("job.initialModelUri", "s3://models/motion/1");
        sets.put("retrain.enabled", false);
        assertThatThrownBy(() -> Chart.render(null, sets))
                .hasMessageContaining("model.initial needs job.defaultModel");
    }

    /**
     * The CronJob leaves the image's entrypoint in charge (it links the plugins named in
     * ENABLE_BUILT_IN_PLUGINS, e.g. S3 for the production example's s3:// store), runs without a
     * terminal's progress bar, and writes its report into the model store.
     */
    @Test
    void retrainingKeepsTheEntrypointEnablesThePluginsAndStoresItsReport() throws IOException {
        Path production = Chart.root().resolve("helm/examples/production.yaml");
        List<JsonNode> manifests = Chart.render(production, Map.of());
        PodSpec pod = podSpecs(manifests).get("CronJob rnnstream-retrain");
        Container retrain = pod.getContainers().get(0);
        assertThat(retrain.getCommand()).as("command replaces the entrypoint").isEmpty();
        assertThat(retrain.getArgs()).startsWith("rnnstream", "retrain").contains("--no-progress");
        assertThat(env(retrain))
                .containsEntry("ENABLE_BUILT_IN_PLUGINS", "flink-s3-fs-presto-2.2.0.jar");
        assertThat(mounts(retrain))
                .as("the entrypoint writes these on a read-only root file system")
                .containsEntry("flink-plugins", "/opt/flink/plugins")
                .containsEntry("flink-conf", "/opt/flink/conf");
        assertThat(pod.getInitContainers())
                .singleElement()
                .satisfies(
                        init ->
                                assertThat(init.getCommand())
                                        .containsExactly(
                                                "cp", "-R", "/opt/flink/conf/.", "/flink-conf/"));

        Properties properties = configFile(manifests, "rnnstream-config", "retrain.properties");
        Map<String, String> settings = new HashMap<>();
        properties.forEach((k, v) -> settings.put(k.toString(), v.toString()));
        RetrainConfig config = RetrainConfig.fromMap(settings);
        assertThat(config.reportStore()).isTrue();
        assertThat(config.store()).isEqualTo("s3://acme-models/rnnstream");

        String dockerfile = Files.readString(Chart.root().resolve("docker/Dockerfile"));
        assertThat(dockerfile)
                .as("the image keeps Flink's entrypoint, which the CronJob relies on")
                .doesNotContainPattern("(?m)^(ENTRYPOINT|CMD)\\b");
        assertThat(Files.readString(Chart.root().resolve("docker/rnnstream")))
                .as("the launcher points the CLI at the plugins the entrypoint linked")
                .contains(
                        "FLINK_PLUGINS_DIR=\"${FLINK_PLUGINS_DIR:-${FLINK_HOME:-/opt/flink}/plugins}\"");
    }

    @Test
    void theCommandLinePodsRunOnAReadOnlyRootFileSystem() {
        Map<String, PodSpec> pods =
                podSpecs(Chart.render(null, Map.of("model.initial", MODEL_URL)));
        List<String> checked = new ArrayList<>();
        pods.forEach(
                (name, pod) -> {
                    if (name.startsWith("FlinkDeployment")) {
                        return; // Flink writes its configuration and logs under /opt/flink
                    }
                    List<Container> containers = new ArrayList<>(pod.getInitContainers());
                    containers.addAll(pod.getContainers());
                    for (Container c : containers) {
                        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem())
                                .as(name + " " + c.getName())
                                .isTrue();
                    }
                    Map<String, String> env = env(pod.getContainers().get(0));
                    assertThat(env)
                            .as(name + ": the shell's home on the writable /tmp")
                            .containsEntry("HOME", "/tmp");
                    assertThat(env.get("JAVA_OPTS"))
                            .as(name + ": JavaCPP unpacks DL4J's native libraries under user.home")
                            .contains("-Duser.home=/tmp");
                    checked.add(name);
                });
        assertThat(checked)
                .containsExactlyInAnyOrder(
                        "CronJob rnnstream-retrain",
                        "Job rnnstream-bootstrap",
                        "Pod rnnstream-test-classification");
    }

    @Test
    void theTestPodSendsOneSequenceAndPassesWhenItsClassificationArrives() throws Exception {
        List<JsonNode> manifests = Chart.render(null, Map.of());
        JsonNode pod = named(manifests, "Pod", "rnnstream-test-classification");
        assertThat(pod.at("/metadata/annotations/helm.sh~1hook").asText()).isEqualTo("test");
        assertThat(configMapText(manifests, "rnnstream-test", "test-sequence.jsonl").strip())
                .isEqualTo(
                        "{\"features\": [[0.1, -0.2, 0.3, 0.0, 0.1, -0.1]], \"label\": \"Standing\"}");

        Run passed = runTestScript(manifests, true, 20);
        assertThat(passed.exitCode()).as(passed.output()).isZero();
        assertThat(passed.output()).contains("classified: ");
        assertThat(passed.calls()).hasSize(2);
        String produce =
                passed.calls().stream()
                        .filter(c -> c.startsWith("produce"))
                        .findFirst()
                        .orElseThrow();
        assertThat(produce)
                .contains("--bootstrap-servers kafka:9092")
                .contains("--topic events")
                .contains("--limit 1 --keys 1")
                .contains("--model motion")
                .doesNotContain("--command-config");
        assertThat(passed.calls())
                .anyMatch(
                        c ->
                                c.startsWith(
                                        "tail --bootstrap-servers kafka:9092 --topic classifications"));
    }

    @Test
    void theTestPodFailsNamingTheKeyWhenNoClassificationArrives() throws Exception {
        Run failed = runTestScript(Chart.render(null, Map.of()), false, 3);
        assertThat(failed.exitCode()).isEqualTo(1);
        assertThat(failed.output())
                .containsPattern(
                        "no classification of key helm-test-[0-9]+-[0-9]+-0 on classifications")
                .contains("dead-letters");
    }

    @Test
    void theTestPodUsesTheKafkaClientSettingsOfTheRelease() throws Exception {
        Path production = Chart.root().resolve("helm/examples/production.yaml");
        List<JsonNode> manifests = Chart.render(production, Map.of());
        Properties client = configFile(manifests, "rnnstream-test", "client.properties");
        assertThat(client)
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry(
                        "sasl.jaas.config", "${secret:/etc/rnnstream/kafka:sasl.jaas.config}")
                .doesNotContainKey("kafka.security.protocol");
        Run run = runTestScript(manifests, true, 20);
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.calls()).allMatch(c -> c.contains("--command-config "));
    }

    /** Values that apply to every pod: Flink's, the CronJob's, the hook's and the test's. */
    @Test
    void podWideValuesReachEveryPodAndContainer() {
        Map<String, Object> sets = new LinkedHashMap<>();
        sets.put("model.initial", MODEL_URL);
        sets.put("podAnnotations.example\\.com/owner", "streaming");
        sets.put("podLabels.team", "ml");
        sets.put("nodeSelector.pool", "streaming");
        sets.put("tolerations[0].key", "dedicated");
        sets.put("tolerations[0].operator", "Exists");
        sets.put(
                "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key",
                "zone");
        sets.put(
                "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator",
                "Exists");
        sets.put("priorityClassName", "streaming-high");
        sets.put("extraEnv[0].name", "AWS_REGION");
        sets.put("extraEnv[0].value", "eu-west-1");
        sets.put("extraVolumes[0].name", "ca");
        sets.put("extraVolumes[0].configMap.name", "corporate-ca");
        sets.put("extraVolumeMounts[0].name", "ca");
        sets.put("extraVolumeMounts[0].mountPath", "/etc/ssl/corporate");
        List<JsonNode> manifests = Chart.render(null, sets);

        Map<String, PodSpec> pods = podSpecs(manifests);
        assertThat(pods.keySet())
                .contains(
                        "FlinkDeployment rnnstream podTemplate",
                        "CronJob rnnstream-retrain",
                        "Job rnnstream-bootstrap",
                        "Pod rnnstream-test-classification");
        pods.forEach(
                (name, pod) -> {
                    assertThat(pod.getNodeSelector()).as(name).containsEntry("pool", "streaming");
                    assertThat(pod.getTolerations()).as(name).hasSize(1);
                    assertThat(pod.getAffinity()).as(name).isNotNull();
                    assertThat(pod.getPriorityClassName()).as(name).isEqualTo("streaming-high");
                    assertThat(pod.getVolumes())
                            .as(name)
                            .anyMatch(v -> v.getName().equals("ca") && v.getConfigMap() != null);
                    Container main = pod.getContainers().get(0);
                    assertThat(env(main)).as(name).containsEntry("AWS_REGION", "eu-west-1");
                    assertThat(mounts(main)).as(name).containsEntry("ca", "/etc/ssl/corporate");
                });
        for (JsonNode metadata :
                List.of(
                        Chart.single(manifests, "FlinkDeployment").at("/spec/podTemplate/metadata"),
                        Chart.single(manifests, "CronJob")
                                .at("/spec/jobTemplate/spec/template/metadata"),
                        Chart.single(manifests, "Job").at("/spec/template/metadata"),
                        Chart.single(manifests, "Pod").path("metadata"))) {
            assertThat(metadata.at("/labels/team").asText())
                    .as(metadata.toString())
                    .isEqualTo("ml");
            assertThat(metadata.at("/annotations/example.com~1owner").asText())
                    .as(metadata.toString())
                    .isEqualTo("streaming");
        }
    }

    @Test
    void serviceAccountAnnotationsGiveTheFlinkRetrainAndHookPodsTheirCloudIdentity() {
        List<JsonNode> manifests =
                Chart.render(
                        null,
                        Map.of(
                                "serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn",
                                "arn:aws:iam::1:role/rnnstream"));
        for (String account : List.of("rnnstream", "rnnstream-bootstrap")) {
            assertThat(
                            named(manifests, "ServiceAccount", account)
                                    .at("/metadata/annotations/eks.amazonaws.com~1role-arn")
                                    .asText())
                    .as(account)
                    .isEqualTo("arn:aws:iam::1:role/rnnstream");
        }
        Map<String, PodSpec> pods = podSpecs(manifests);
        assertThat(pods.get("CronJob rnnstream-retrain").getServiceAccountName())
                .isEqualTo("rnnstream");
        assertThat(Chart.single(manifests, "FlinkDeployment").at("/spec/serviceAccount").asText())
                .isEqualTo("rnnstream");
    }

    @Test
    void logLevelsReachTheFlinkPodsAndTheCommandLinePods() throws IOException {
        Map<String, Object> sets = new LinkedHashMap<>();
        sets.put("logging.level", "DEBUG");
        sets.put("logging.flinkRootLevel", "WARN");
        sets.put("logging.cliRootLevel", "ERROR");
        sets.put("logging.loggers.org\\.apache\\.kafka\\.clients", "TRACE");
        List<JsonNode> manifests = Chart.render(null, sets);

        Properties flink = new Properties();
        flink.load(
                new java.io.StringReader(
                        Chart.single(manifests, "FlinkDeployment")
                                .at("/spec/logConfiguration/log4j-console.properties")
                                .asText()));
        assertThat(flink)
                .containsEntry("rootLogger.level", "WARN")
                .containsEntry("logger.rnnstream.name", "io.rnnstream")
                .containsEntry("logger.rnnstream.level", "DEBUG")
                .containsEntry("logger.extra0.name", "org.apache.kafka.clients")
                .containsEntry("logger.extra0.level", "TRACE")
                .containsEntry("appender.rolling.fileName", "${sys:log.file}");

        for (String configMap :
                List.of("rnnstream-config", "rnnstream-bootstrap", "rnnstream-test")) {
            Properties cli = configFile(manifests, configMap, "log4j2-cli.properties");
            assertThat(cli)
                    .as(configMap)
                    .containsEntry("rootLogger.level", "ERROR")
                    .containsEntry("logger.rnnstream.level", "DEBUG")
                    .containsEntry("logger.extra0.name", "org.apache.kafka.clients")
                    .containsEntry("logger.extra0.level", "TRACE");
        }
        podSpecs(manifests)
                .forEach(
                        (name, pod) -> {
                            if (!name.startsWith("FlinkDeployment")) {
                                assertThat(env(pod.getContainers().get(0)).get("JAVA_OPTS"))
                                        .as(name)
                                        .endsWith(
                                                "-Dlog4j2.configurationFile=/etc/rnnstream/config/log4j2-cli.properties");
                            }
                        });
    }

    @Test
    void theChartNeedsAnOperatorThatKnowsItsFlinkVersionAndSaysWhichOne() throws IOException {
        JsonNode values = Chart.YAML.readTree(Chart.chartDir().resolve("values.yaml").toFile());
        assertThat(FlinkDeploymentSchema.flinkVersions())
                .as(
                        "flinkVersion values of operator %s",
                        FlinkDeploymentSchema.MINIMUM_OPERATOR_VERSION)
                .contains(values.at("/flink/version").asText());
        String minimum =
                "Flink Kubernetes Operator " + FlinkDeploymentSchema.MINIMUM_OPERATOR_VERSION;
        assertThat(Files.readString(Chart.root().resolve("docs/deployment.md"))).contains(minimum);
        assertThat(Files.readString(Chart.root().resolve("helm/README.md"))).contains(minimum);
        assertThat(Files.readString(Chart.chartDir().resolve("Chart.yaml")))
                .contains(FlinkDeploymentSchema.MINIMUM_OPERATOR_VERSION);
    }

    private record Run(int exitCode, String output, List<String> calls) {}

    /** The hook Job's script, with the Job's environment, against the stand-in command. */
    private Run runHookScript(List<JsonNode> manifests, Map<String, String> extraEnv)
            throws Exception {
        Path script = scratch.resolve("bootstrap.sh");
        Files.writeString(script, configMapText(manifests, "rnnstream-bootstrap", "bootstrap.sh"));
        Container container =
                podSpecs(manifests).get("Job rnnstream-bootstrap").getContainers().get(0);
        assertThat(container.getArgs())
                .containsExactly("bash", "/etc/rnnstream/config/bootstrap.sh");
        Map<String, String> env = new HashMap<>(env(container));
        env.putAll(extraEnv);
        return run(script, env);
    }

    /** The test pod's script, with the pod's environment and rendered files. */
    private Run runTestScript(List<JsonNode> manifests, boolean classify, int timeoutSeconds)
            throws Exception {
        Path config = Files.createDirectories(scratch.resolve("config"));
        JsonNode data = named(manifests, "ConfigMap", "rnnstream-test").path("data");
        for (var field : (Iterable<Map.Entry<String, JsonNode>>) data::fields) {
            Files.writeString(config.resolve(field.getKey()), field.getValue().asText());
        }
        Container container =
                podSpecs(manifests).get("Pod rnnstream-test-classification").getContainers().get(0);
        assertThat(container.getArgs())
                .containsExactly("bash", "/etc/rnnstream/config/helm-test.sh");
        Map<String, String> env = new HashMap<>(env(container));
        env.put("CONFIG_DIR", config.toString());
        env.put("TAIL_START_SECONDS", "0");
        env.put("TIMEOUT_SECONDS", Integer.toString(timeoutSeconds));
        if (classify) {
            env.put("FAKE_CLASSIFY", "yes");
        }
        return run(config.resolve("helm-test.sh"), env);
    }

    /**
     * Runs {@code script} with bash, {@code rnnstream} on the PATH being a stand-in that appends
     * its arguments to a file, fails when FAIL_ON names its subcommand, and, as {@code tail} with
     * FAKE_CLASSIFY, prints a classification of the key {@code produce} was given.
     */
    private Run run(Path script, Map<String, String> env) throws Exception {
        Path bin = Files.createDirectories(scratch.resolve("bin"));
        Path calls = scratch.resolve("calls.txt");
        Files.deleteIfExists(calls);
        Files.deleteIfExists(scratch.resolve("calls.txt.prefix"));
        Path fake = bin.resolve("rnnstream");
        Files.writeString(
                fake,
                """
                #!/usr/bin/env bash
                echo "$*" >> "$CALLS"
                if [[ "${FAIL_ON:-}" == "$1" ]]; then echo "rnnstream: $1 failed" >&2; exit 1; fi
                case "$1" in
                  produce)
                    while [[ $# -gt 0 ]]; do
                      if [[ "$1" == --key-prefix ]]; then echo "$2" > "$CALLS.prefix"; fi
                      shift
                    done ;;
                  tail)
                    if [[ "${FAKE_CLASSIFY:-}" == yes ]]; then
                      for _ in $(seq 1 100); do
                        if [[ -s "$CALLS.prefix" ]]; then
                          echo "2026-12-06T00:00:00Z $(cat "$CALLS.prefix")0 s-0 Standing 0.900  motion v1  1 steps  end"
                          break
                        fi
                        sleep 0.1
                      done
                    fi
                    exec sleep 60 ;;
                esac
                """);
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        ProcessBuilder builder = new ProcessBuilder("bash", script.toString());
        builder.environment().putAll(env);
        builder.environment().put("CALLS", calls.toString());
        builder.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        builder.redirectErrorStream(true);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the script did not finish within 60 s: " + output);
        }
        List<String> recorded = Files.exists(calls) ? Files.readAllLines(calls) : List.of();
        return new Run(process.exitValue(), output, recorded);
    }

    private static Map<String, String> env(Container container) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar var : container.getEnv()) {
            env.put(var.getName(), var.getValue() == null ? "" : var.getValue());
        }
        return env;
    }

    private static Map<String, String> mounts(Container container) {
        return container.getVolumeMounts().stream()
                .collect(
                        Collectors.toMap(
                                m -> m.getName(),
                                m -> m.getMountPath(),
                                (a, b) -> a,
                                LinkedHashMap::new));
    }

    private static List<String> names(List<JsonNode> manifests) {
        return manifests.stream()
                .map(m -> m.path("kind").asText() + " " + m.path("metadata").path("name").asText())
                .toList();
    }
}
