package io.rnnstream.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The end-to-end suite's "chart memory" RocksDB case measures what a deployment with the Helm
 * chart's defaults has: the suite's TaskManager size is the chart's, and Flink derives from it far
 * more managed memory than a local environment's.
 */
class ChartMemoryTest {

    @Test
    void theSuiteUsesTheChartsDefaultTaskManagerSize() throws IOException {
        Path values =
                BenchSuite.findDataDirectory().getParent().resolve("helm/rnnstream/values.yaml");
        String yaml = Files.readString(values);
        Matcher taskManager =
                Pattern.compile("\\n  taskManager:\\n(?:    .*\\n|\\s*\\n)*?      memory: (\\S+)")
                        .matcher(yaml);
        assertThat(taskManager.find()).as("taskManager memory in %s", values).isTrue();
        assertThat(taskManager.group(1)).isEqualTo(EndToEndSuite.CHART_TASK_MANAGER_MEMORY);
    }

    @Test
    void flinkGivesTheChartsTaskManagerMoreManagedMemoryThanALocalEnvironment() {
        assertThat(EndToEndSuite.chartManagedMemory().getMebiBytes()).isGreaterThan(128);
    }
}
