package io.rnnstream.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.rnnstream.stream.model.ModelLoader;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.junit.jupiter.api.Test;
import org.rocksdb.CompressionType;

class RocksDbStateDefaultsTest {

    @Test
    void onAClusterThatSetsNeitherTheJobTurnsCompressionOffAndBloomFiltersOn() {
        Configuration job = new Configuration();
        RocksDbStateDefaults.addUnsetTo(new Configuration(), job);

        // Read back through Flink's own typed options, as the RocksDB backend reads them.
        assertThat(job.get(RocksDBConfigurableOptions.COMPRESSION_PER_LEVEL))
                .containsExactly(CompressionType.NO_COMPRESSION);
        assertThat(job.get(RocksDBConfigurableOptions.USE_BLOOM_FILTER)).isTrue();
    }

    @Test
    void whatTheClusterSetsIsLeftToTheCluster() {
        Configuration cluster = new Configuration();
        cluster.set(
                RocksDBConfigurableOptions.COMPRESSION_PER_LEVEL,
                List.of(CompressionType.LZ4_COMPRESSION));
        cluster.set(RocksDBConfigurableOptions.USE_BLOOM_FILTER, false);
        Configuration job = new Configuration();

        RocksDbStateDefaults.addUnsetTo(cluster, job);

        assertThat(job.toMap())
                .doesNotContainKeys(RocksDbStateDefaults.keys().toArray(String[]::new));
    }

    @Test
    void eachDefaultIsSetOnlyWhereTheClusterLeftItUnset() {
        Configuration cluster = new Configuration();
        cluster.set(RocksDBConfigurableOptions.USE_BLOOM_FILTER, false);
        Configuration job = new Configuration();

        RocksDbStateDefaults.addUnsetTo(cluster, job);

        assertThat(job.toMap())
                .containsOnlyKeys(RocksDBConfigurableOptions.COMPRESSION_PER_LEVEL.key());
    }

    @Test
    void theKeysAreFlinksOwn() {
        assertThat(RocksDbStateDefaults.keys())
                .containsExactlyInAnyOrder(
                        RocksDBConfigurableOptions.COMPRESSION_PER_LEVEL.key(),
                        RocksDBConfigurableOptions.USE_BLOOM_FILTER.key());
    }

    @Test
    void theClassifierJobsConfigurationCarriesTheDefaultsTheClusterLeavesUnset() {
        Configuration cluster = new Configuration();
        cluster.set(RocksDBConfigurableOptions.USE_BLOOM_FILTER, false);

        ClassifierJob job =
                new ClassifierJob(
                        StreamJobConfig.fromMap(
                                Map.of(
                                        "bootstrap.servers",
                                        "localhost:9092",
                                        "model.default",
                                        "motion")),
                        new ModelLoader());
        Configuration local = job.flinkConfiguration();
        Configuration onCluster = job.flinkConfiguration(cluster);

        assertThat(local.get(RocksDBConfigurableOptions.USE_BLOOM_FILTER)).isTrue();
        assertThat(onCluster.toMap())
                .doesNotContainKey(RocksDBConfigurableOptions.USE_BLOOM_FILTER.key());
        assertThat(onCluster.get(RocksDBConfigurableOptions.COMPRESSION_PER_LEVEL))
                .containsExactly(CompressionType.NO_COMPRESSION);
    }
}
