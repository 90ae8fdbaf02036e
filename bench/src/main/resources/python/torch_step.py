"""PyTorch reference for the per-event step (issue 7, item 1f): LSTMCell / RNNCell, one key and a
batch of keys, one thread. Prints one JSON object: microseconds per key-step, median of repeats."""
import argparse
import json
import statistics
import time

import torch_common
import torch


def per_key_step_us(cell, batch, inputs, hidden, lstm, steps, repeats):
    x = torch.randn(batch, inputs)
    h = torch.zeros(batch, hidden)
    c = torch.zeros(batch, hidden)
    samples = []
    with torch.no_grad():
        for _ in range(steps):  # warm-up
            if lstm:
                h, c = cell(x, (h, c))
            else:
                h = cell(x, h)
        for _ in range(repeats):
            start = time.perf_counter_ns()
            for _ in range(steps):
                if lstm:
                    h, c = cell(x, (h, c))
                else:
                    h = cell(x, h)
            samples.append((time.perf_counter_ns() - start) / 1e3 / steps / batch)
    return statistics.median(samples)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--configs", required=True, help="CELL:HIDDEN:INPUT,... e.g. LSTM:64:16")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--steps", type=int, default=2000, help="steps per repeat, one key")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    torch.manual_seed(1)
    results = []
    for config in args.configs.split(","):
        cell_name, hidden, inputs = config.split(":")
        hidden, inputs = int(hidden), int(inputs)
        lstm = cell_name == "LSTM"
        cell = torch.nn.LSTMCell(inputs, hidden) if lstm else torch.nn.RNNCell(inputs, hidden)
        batch_steps = max(20, args.steps // 20)
        results.append(
            {
                "cell": cell_name,
                "hidden": hidden,
                "input": inputs,
                "oneKeyUs": per_key_step_us(cell, 1, inputs, hidden, lstm, args.steps, args.repeats),
                "batchUs": per_key_step_us(
                    cell, args.batch, inputs, hidden, lstm, batch_steps, args.repeats
                ),
                "batch": args.batch,
            }
        )
    print(json.dumps({"environment": torch_common.environment(), "results": results}))


if __name__ == "__main__":
    main()
