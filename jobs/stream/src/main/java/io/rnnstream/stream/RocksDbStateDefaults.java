package io.rnnstream.stream;

import java.util.Map;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;

/**
 * The RocksDB options that suit rnnstream's keyed state, which the job sets for itself wherever the
 * cluster's configuration leaves them unset; they take effect only when the cluster runs the job on
 * RocksDB ({@code state.backend.type: rocksdb}).
 *
 * <ul>
 *   <li><b>No block compression.</b> Most of a key's state is its hidden floats, which no block
 *       compressor shrinks; Flink's default (Snappy at every level) spends CPU on every flush and
 *       compaction to store the blocks as they were.
 *   <li><b>Bloom filters.</b> Every event reads its key's state by point lookup, and a key's first
 *       event looks for state that does not exist yet. Without filters such a read opens a data
 *       block in every file whose key range covers the key; with them it skips, but for a rare
 *       false positive, every file that does not hold the key.
 * </ul>
 *
 * <p>An operator who sets either option in the cluster's configuration keeps that value: the job
 * fills gaps, it does not override.
 */
public final class RocksDbStateDefaults {

    /**
     * Flink's {@code RocksDBConfigurableOptions.COMPRESSION_PER_LEVEL}, by key: the RocksDB backend
     * is on the cluster's classpath, not necessarily on the job's.
     */
    static final ConfigOption<String> COMPRESSION_PER_LEVEL =
            ConfigOptions.key("state.backend.rocksdb.compression.per.level")
                    .stringType()
                    .noDefaultValue();

    /** Flink's {@code RocksDBConfigurableOptions.USE_BLOOM_FILTER}, by key. */
    static final ConfigOption<Boolean> USE_BLOOM_FILTER =
            ConfigOptions.key("state.backend.rocksdb.use-bloom-filter")
                    .booleanType()
                    .noDefaultValue();

    static final String NO_COMPRESSION = "NO_COMPRESSION";

    private RocksDbStateDefaults() {}

    /** The keys this class sets when the cluster has not. */
    public static Set<String> keys() {
        return Set.of(COMPRESSION_PER_LEVEL.key(), USE_BLOOM_FILTER.key());
    }

    /** Adds to {@code job} each default whose key {@code cluster} does not set. */
    public static void addUnsetTo(ReadableConfig cluster, Configuration job) {
        Map<String, String> set = cluster.toMap();
        if (!set.containsKey(COMPRESSION_PER_LEVEL.key())) {
            job.set(COMPRESSION_PER_LEVEL, NO_COMPRESSION);
        }
        if (!set.containsKey(USE_BLOOM_FILTER.key())) {
            job.set(USE_BLOOM_FILTER, true);
        }
    }
}
