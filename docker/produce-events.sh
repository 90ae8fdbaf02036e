#!/usr/bin/env bash
# Replays the BasicMotions test sequences as events, frame by frame, spread over eight device
# keys, to the events topic; then stops. Run by the `producer` service.
set -euo pipefail

bootstrap="${BOOTSTRAP_SERVERS:-kafka:9092}"
data="${EVENTS_FILE:-/data/BasicMotions_TEST.ts}"
keys="${KEYS:-8}"
start_ms="$(($(date +%s) * 1000))"

# A .ts line is six comma-separated channels separated by ':' and the label last. One event per
# frame: {"key", "ts", "seq", "features": [six channels]}, "end": true on the sequence's last frame.
awk -v keys="$keys" -v start="$start_ms" '
    /^[#@]/ || NF == 0 { next }
    {
        n = split($0, channel, ":")
        frames = split(channel[1], first, ",")
        key = "device-" (seq % keys)
        for (t = 1; t <= frames; t++) {
            features = ""
            for (c = 1; c < n; c++) {
                split(channel[c], values, ",")
                features = features (c > 1 ? "," : "") values[t]
            }
            printf "%s|{\"key\":\"%s\",\"ts\":%d,\"seq\":\"run-%d\",\"features\":[%s]%s}\n", \
                key, key, start + 10 * (count++), seq, features, (t == frames ? ",\"end\":true" : "")
        }
        seq++
    }' "$data" |
    /opt/kafka/bin/kafka-console-producer.sh --bootstrap-server "$bootstrap" --topic events \
        --property parse.key=true --property key.separator='|'
echo "produced the sequences of $data"
