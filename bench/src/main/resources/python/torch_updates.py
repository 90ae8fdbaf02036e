"""Independent reference for rnnstream's truncated-BPTT updates: PyTorch's LSTM, Adam and norm
clipping, started from the weights rnnstream drew and fed the same windows. Reads one JSON object
(weights in DL4J's layout and gate order, token ids, recipe) from the file named by the first
argument; prints the loss of every update and the weights after the last one, in DL4J's layout.

The loss is summed over a window's steps and averaged over its streams, the scale DL4J's updater
sees, and the norm clip is scaled to match: Adam's epsilon then acts on the same numbers on both
sides, so that the two runs may differ only by float rounding."""
import json
import sys

import torch_common
import torch


def to_torch_gates(matrix, hidden):
    """DL4J's gate blocks (cell input, forget, output, input) to PyTorch's (input, forget, cell,
    output), along the last axis."""
    g, f, o, i = torch.split(matrix, hidden, dim=-1)
    return torch.cat([i, f, g, o], dim=-1)


def to_dl4j_gates(matrix, hidden):
    i, f, g, o = torch.split(matrix, hidden, dim=-1)
    return torch.cat([g, f, o, i], dim=-1)


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        spec = json.load(f)
    hidden, vocabulary = spec["hidden"], spec["vocabulary"]
    streams, window, updates = spec["streams"], spec["window"], spec["updates"]
    lstm = torch.nn.LSTM(vocabulary, hidden)
    out = torch.nn.Linear(hidden, vocabulary)

    def tensor(key, rows, columns):
        return torch.tensor(spec[key], dtype=torch.float32).view(rows, columns)

    with torch.no_grad():
        lstm.weight_ih_l0.copy_(to_torch_gates(tensor("W", vocabulary, 4 * hidden), hidden).t())
        lstm.weight_hh_l0.copy_(to_torch_gates(tensor("RW", hidden, 4 * hidden), hidden).t())
        lstm.bias_ih_l0.copy_(to_torch_gates(tensor("b", 1, 4 * hidden), hidden).view(-1))
        # DL4J has one bias vector; PyTorch's second one starts at zero.
        lstm.bias_hh_l0.zero_()
        out.weight.copy_(tensor("outW", hidden, vocabulary).t())
        out.bias.copy_(tensor("outB", 1, vocabulary).view(-1))
    # rnnstream's bias at twice the learning rate is PyTorch's own two bias vectors, both trained:
    # they get the same gradient and the same Adam update, so their sum moves twice as far. At 1,
    # the second vector stays zero and out of the optimizer.
    multiplier = spec.get("recurrentBiasLearningRateMultiplier", 1.0)
    if multiplier not in (1.0, 2.0):
        raise SystemExit("recurrentBiasLearningRateMultiplier: expected 1 or 2, got %s" % multiplier)
    clipped = [lstm.weight_ih_l0, lstm.weight_hh_l0, lstm.bias_ih_l0, out.weight, out.bias]
    parameters = clipped + ([lstm.bias_hh_l0] if multiplier == 2.0 else [])
    lstm.bias_hh_l0.requires_grad_(multiplier == 2.0)
    optimizer = torch.optim.Adam(parameters, lr=spec["learningRate"])

    ids = spec["ids"]
    length = len(ids) // streams
    data = torch.tensor(ids[: length * streams]).view(streams, length).t().contiguous()
    losses, state = [], None
    for update in range(updates):
        start = update * window
        optimizer.zero_grad()
        x = torch.nn.functional.one_hot(data[start : start + window], vocabulary).float()
        outputs, state = lstm(x, state)
        target = data[start + 1 : start + window + 1]
        summed = torch.nn.functional.cross_entropy(
            out(outputs).reshape(-1, vocabulary), target.reshape(-1), reduction="sum")
        (summed / streams).backward()
        # The clip's norm counts the bias gradient once, as rnnstream's one bias vector has it, and
        # scales the second vector by the same factor.
        limit = spec["gradientNormClip"] * window
        norm = torch.nn.utils.clip_grad_norm_(clipped, limit)
        if multiplier == 2.0 and norm > limit:
            lstm.bias_hh_l0.grad.mul_(limit / (norm + 1e-6))
        optimizer.step()
        state = tuple(s.detach() for s in state)
        losses.append(summed.item() / target.numel())

    with torch.no_grad():
        result = {
            "environment": torch_common.environment(),
            "losses": losses,
            "W": to_dl4j_gates(lstm.weight_ih_l0.t(), hidden).reshape(-1).tolist(),
            "RW": to_dl4j_gates(lstm.weight_hh_l0.t(), hidden).reshape(-1).tolist(),
            "b": to_dl4j_gates((lstm.bias_ih_l0 + lstm.bias_hh_l0).view(1, -1), hidden)
            .reshape(-1)
            .tolist(),
            "outW": out.weight.t().reshape(-1).tolist(),
            "outB": out.bias.tolist(),
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
