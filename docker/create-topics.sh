#!/usr/bin/env bash
# Creates rnnstream's topics on the compose broker (idempotent); run by the `topics` service.
set -euo pipefail

bootstrap="${BOOTSTRAP_SERVERS:-kafka:9092}"
topics=/opt/kafka/bin/kafka-topics.sh

create() {
    local name="$1" partitions="$2"
    shift 2
    "$topics" --bootstrap-server "$bootstrap" --create --if-not-exists \
        --topic "$name" --partitions "$partitions" --replication-factor 1 "$@"
}

create events 2
create classifications 2
create dead-letters 1
# Classifications of shadow versions (the stream job checks for it unless shadow.max-per-model=0).
create shadow-classifications 2
# Announcements are looked up by model name: keep the newest per key.
create models 1 --config cleanup.policy=compact
"$topics" --bootstrap-server "$bootstrap" --list
