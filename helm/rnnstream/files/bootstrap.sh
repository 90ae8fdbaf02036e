#!/usr/bin/env bash
# Run by the chart's pre-install / pre-upgrade hook Job, before the stream job starts: creates the
# missing topics (the models topic compacted), then, when a first model is configured, copies it
# into the model store and announces it. Both steps are safe to repeat on every upgrade.
set -euo pipefail

settings=/etc/rnnstream/config/bootstrap.properties

if [[ "${CREATE_TOPICS:-true}" == "true" ]]; then
    echo "creating missing topics"
    rnnstream topics create --config "$settings"
fi

if [[ -n "${INITIAL_MODEL:-}" ]]; then
    echo "publishing the first model from $INITIAL_MODEL"
    rnnstream publish --config "$settings" --model "$INITIAL_MODEL" --name "$MODEL_NAME"
fi
