package io.rnnstream.stream.event;

/**
 * A Kafka record exactly as it arrived, with where it came from. Nothing is parsed yet, so reading
 * can never fail; the original bytes travel on for the dead-letter topic.
 *
 * @param key the record key, or null
 * @param value the record value, or null
 * @param topic source topic
 * @param partition source partition
 * @param offset source offset
 * @param timestamp the Kafka record timestamp
 */
public record RawRecord(
        byte[] key, byte[] value, String topic, int partition, long offset, long timestamp) {}
