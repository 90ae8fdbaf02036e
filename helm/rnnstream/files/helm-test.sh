#!/usr/bin/env bash
# `helm test`: sends one sequence under a key of its own to the events topic and waits until its
# classification appears on the results topic (read_committed), or fails after TIMEOUT_SECONDS.
set -euo pipefail

: "${BOOTSTRAP_SERVERS:?}" "${EVENTS_TOPIC:?}" "${RESULTS_TOPIC:?}" "${DEAD_LETTERS_TOPIC:?}"
: "${TIMEOUT_SECONDS:?}"
config="${CONFIG_DIR:-/etc/rnnstream/config}"
client=()
if [[ -s "$config/client.properties" ]]; then
    client=(--command-config "$config/client.properties")
fi
model=()
if [[ -n "${MODEL:-}" ]]; then
    model=(--model "$MODEL")
fi

prefix="helm-test-$(date +%s)-${RANDOM}-"
key="${prefix}0"
results=/tmp/results.txt

# Follow the results from their current end before anything is sent.
rnnstream tail --bootstrap-servers "$BOOTSTRAP_SERVERS" "${client[@]}" --topic "$RESULTS_TOPIC" \
    --idle-timeout "$TIMEOUT_SECONDS" > "$results" &
tail_pid=$!
trap 'kill "$tail_pid" 2> /dev/null || true' EXIT
sleep "${TAIL_START_SECONDS:-10}"

rnnstream produce --data "$config/test-sequence.jsonl" --format jsonl \
    --bootstrap-servers "$BOOTSTRAP_SERVERS" "${client[@]}" --topic "$EVENTS_TOPIC" \
    --limit 1 --keys 1 --key-prefix "$prefix" "${model[@]}"
echo "sent one sequence for key $key; waiting up to $TIMEOUT_SECONDS s for its classification"

deadline=$((SECONDS + TIMEOUT_SECONDS))
while ((SECONDS < deadline)); do
    if line=$(grep -m 1 -F " $key " "$results"); then
        echo "classified: $line"
        exit 0
    fi
    if ! kill -0 "$tail_pid" 2> /dev/null; then
        break
    fi
    sleep 2
done
echo "no classification of key $key on $RESULTS_TOPIC within $TIMEOUT_SECONDS s; look for it" \
    "among the dead letters (rnnstream tail --topic $DEAD_LETTERS_TOPIC --from-beginning) and in" \
    "the JobManager's log" >&2
exit 1
