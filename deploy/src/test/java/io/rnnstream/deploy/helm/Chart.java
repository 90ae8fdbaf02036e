package io.rnnstream.deploy.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The rnnstream Helm chart, linted and rendered by the real Helm library (helm-java bundles it),
 * offline. Rendered output comes back as one JSON tree per manifest, hooks included.
 *
 * <p>helm-java's {@code template} returns the release manifest only, without the hook resources
 * that {@code helm template} prints after it. So the chart is rendered from a copy in which the
 * {@code helm.sh/hook} annotations are spelt {@value #HOOK_STANDIN}: Helm then renders the hook
 * Job, its ConfigMap and ServiceAccount, the model claim and the test pod like any other manifest,
 * from the same templates and values, and the annotations are spelt back in the output.
 */
final class Chart {

    static final String RELEASE = "rnnstream";
    static final String NAMESPACE = "streaming";

    /** The Kubernetes version rendered for (helm-java's template defaults to 1.20). */
    static final String KUBE_VERSION = "1.30.0";

    static final YAMLMapper YAML = new YAMLMapper();

    /** What {@code helm.sh/hook} is renamed to while rendering (never a key Helm knows). */
    static final String HOOK_STANDIN = "rnnstream.test/hook";

    private static final String HOOK = "helm.sh/hook";

    private Chart() {}

    static Path root() {
        return Path.of(System.getProperty("rnnstream.root", "..")).toAbsolutePath().normalize();
    }

    static Path chartDir() {
        return root().resolve("helm/rnnstream");
    }

    /** The example values files under helm/examples. */
    static List<Path> examples() {
        try (Stream<Path> files = Files.list(root().resolve("helm/examples"))) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code helm lint --strict} of the chart with {@code valuesFile} (null: the defaults). Helm's
     * lint takes no values file, so the chart is copied with the example merged into its
     * values.yaml, which is what Helm does with {@code -f} before linting the rendered output.
     */
    static LintResult lint(Path valuesFile, Path scratch) throws IOException {
        Path chart = chartDir();
        if (valuesFile != null) {
            chart = scratch.resolve("chart-" + valuesFile.getFileName());
            copyTree(chartDir(), chart);
            JsonNode merged =
                    merge(
                            YAML.readTree(chart.resolve("values.yaml").toFile()),
                            YAML.readTree(valuesFile.toFile()));
            YAML.writeValue(chart.resolve("values.yaml").toFile(), merged);
        }
        return new Helm(chart).lint().strict().call();
    }

    /** {@code helm template} with an optional values file and {@code --set} pairs. */
    static List<JsonNode> render(Path valuesFile, Map<String, Object> sets) {
        Path copy = null;
        try {
            copy = Files.createTempDirectory("rnnstream-chart");
            copyTree(chartDir(), copy);
            try (Stream<Path> files = Files.walk(copy.resolve("templates"))) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    String text = Files.readString(file);
                    if (text.contains(HOOK_STANDIN)) {
                        throw new IllegalStateException(file + " already uses " + HOOK_STANDIN);
                    }
                    Files.writeString(file, text.replace(HOOK, HOOK_STANDIN));
                }
            }
            return parse(template(copy, valuesFile, sets).call().replace(HOOK_STANDIN, HOOK));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteTree(copy);
        }
    }

    /** The release manifest alone, as helm-java's template returns it: no hook resources. */
    static List<JsonNode> renderWithoutHooks(Path valuesFile, Map<String, Object> sets) {
        return parse(template(chartDir(), valuesFile, sets).call());
    }

    private static TemplateCommand template(Path chart, Path valuesFile, Map<String, Object> sets) {
        TemplateCommand template =
                new Helm(chart)
                        .template()
                        .withName(RELEASE)
                        .withNamespace(NAMESPACE)
                        .withKubeVersion(KUBE_VERSION);
        if (valuesFile != null) {
            template = template.withValuesFile(valuesFile);
        }
        for (Map.Entry<String, Object> set : sets.entrySet()) {
            template = template.set(set.getKey(), set.getValue());
        }
        return template;
    }

    /** Manifests carrying a {@code helm.sh/hook} annotation that names {@code hook}. */
    static List<JsonNode> hooks(List<JsonNode> manifests, String hook) {
        return manifests.stream()
                .filter(
                        m ->
                                List.of(
                                                m.path("metadata")
                                                        .path("annotations")
                                                        .path(HOOK)
                                                        .asText()
                                                        .split(","))
                                        .contains(hook))
                .toList();
    }

    static List<JsonNode> parse(String multiDocumentYaml) {
        List<JsonNode> manifests = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(multiDocumentYaml)) {
            Iterator<JsonNode> documents = new ObjectMapper().readValues(parser, JsonNode.class);
            while (documents.hasNext()) {
                JsonNode document = documents.next();
                if (document != null && !document.isNull() && !document.isEmpty()) {
                    manifests.add(document);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("helm template output is not YAML", e);
        }
        return manifests;
    }

    static List<JsonNode> ofKind(List<JsonNode> manifests, String kind) {
        return manifests.stream().filter(m -> m.path("kind").asText().equals(kind)).toList();
    }

    static JsonNode single(List<JsonNode> manifests, String kind) {
        List<JsonNode> found = ofKind(manifests, kind);
        if (found.size() != 1) {
            throw new AssertionError("expected one " + kind + ", found " + found.size());
        }
        return found.get(0);
    }

    /** Helm's merge of a values file over defaults: maps merge key by key, the rest replaces. */
    static JsonNode merge(JsonNode defaults, JsonNode override) {
        if (!(defaults instanceof ObjectNode base) || !override.isObject()) {
            return override;
        }
        ObjectNode merged = base.deepCopy();
        override.fields()
                .forEachRemaining(
                        e ->
                                merged.set(
                                        e.getKey(),
                                        merged.has(e.getKey())
                                                ? merge(merged.get(e.getKey()), e.getValue())
                                                : e.getValue()));
        return merged;
    }

    private static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : paths.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
    }
}
