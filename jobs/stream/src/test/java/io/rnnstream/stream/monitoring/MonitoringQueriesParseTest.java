package io.rnnstream.stream.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.testkit.ExternalTool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PromQL of docs/monitoring is PromQL Prometheus accepts: the alert rules file as it ships, and
 * every dashboard expression as a recording rule (with the dashboard's {@code $model} variable set
 * to match every model), both through {@code promtool check rules}, Prometheus's own parser. The
 * names and labels the expressions use are checked against a running job by {@code
 * ShadowEvaluationITCase}.
 */
class MonitoringQueriesParseTest {

    static final ExternalTool PROMTOOL = new ExternalTool("promtool", "apt-get install prometheus");

    @TempDir Path work;

    @Test
    void theAlertRulesParse() throws Exception {
        Path rules = MonitoringQueries.repositoryDirectory().resolve("alerts.yaml");
        ExternalTool.Run run = PROMTOOL.run(work, "check", "rules", rules.toString());
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("SUCCESS");
    }

    @Test
    void everyDashboardAndAlertExpressionParsesAsARecordingRule() throws Exception {
        List<String> expressions =
                MonitoringQueries.ofRepository().expressions().stream()
                        // Grafana's variable query function, not PromQL.
                        .filter(e -> !e.startsWith("label_values("))
                        .toList();
        assertThat(expressions).as("dashboard and alert expressions").hasSizeGreaterThan(10);
        ExternalTool.Run run = check(expressions);
        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("SUCCESS: " + expressions.size() + " rules found");
    }

    @Test
    void anExpressionThatIsNotPromQlIsRefused() throws Exception {
        ExternalTool.Run run =
                check(List.of("sum(rate(flink_taskmanager_job_task_operator_eventsIn[5m])"));
        assertThat(run.exitCode()).isNotZero();
        assertThat(run.output()).contains("parse error");
    }

    /** {@code promtool check rules} on one recording rule per expression. */
    private ExternalTool.Run check(List<String> expressions) throws Exception {
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        for (int i = 0; i < expressions.size(); i++) {
            String expression =
                    expressions.get(i).replace("${model}", ".*").replace("$model", ".*").strip();
            rules.append("      - record: rnnstream:dashboard_query_")
                    .append(i)
                    .append("\n        expr: |\n");
            for (String line : expression.split("\n")) {
                rules.append("          ").append(line).append('\n');
            }
        }
        Path file = Files.writeString(work.resolve("dashboard-rules.yaml"), rules);
        return PROMTOOL.run(work, "check", "rules", file.toString());
    }
}
