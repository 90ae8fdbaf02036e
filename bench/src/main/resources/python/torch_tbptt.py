"""PyTorch reference for stateful truncated BPTT (issue 16, item 3, the long-sequence case): a
character-level LSTM on one-hot input, the training text cut into parallel streams, each update
reading the next window of every stream from the state the previous update left (detached), Adam,
gradient-norm clipping, one thread. Times the updates after a warm-up and prints one JSON object;
with --epochs it instead trains whole epochs and reports the validation loss after each."""
import argparse
import json
import math
import time

import torch_common
import torch


class CharLstm(torch.nn.Module):
    def __init__(self, vocabulary, hidden):
        super().__init__()
        self.vocabulary = vocabulary
        self.lstm = torch.nn.LSTM(vocabulary, hidden)
        self.out = torch.nn.Linear(hidden, vocabulary)

    def forward(self, ids, state):
        x = torch.nn.functional.one_hot(ids, self.vocabulary).float()
        outputs, state = self.lstm(x, state)
        return self.out(outputs), state


def streams(ids, count):
    length = len(ids) // count
    return torch.tensor(ids[: length * count]).view(count, length).t().contiguous()


def validation_loss(model, ids, count, window):
    """Nats per character over all streams, and the mean of the worst stream: a model stuck in a
    state it does not leave shows as one stream far above the rest."""
    data = streams(ids, count)
    model.eval()
    per_stream, targets, state = torch.zeros(count, dtype=torch.float64), 0, None
    with torch.no_grad():
        for start in range(0, data.shape[0] - 1, window):
            end = min(start + window, data.shape[0] - 1)
            logits, state = model(data[start:end], state)
            target = data[start + 1 : end + 1]
            per_stream += torch.nn.functional.cross_entropy(
                logits.reshape(-1, logits.shape[-1]), target.reshape(-1), reduction="none"
            ).view(target.shape).sum(0).double()
            targets += target.numel()
    model.train()
    steps = targets / count
    return per_stream.sum().item() / targets, per_stream.max().item() / steps


def step_products(hidden, streams, repeats):
    """The per-step products of nn.LSTM for one layer: its recurrent weights W_hh are
    [4 hidden, hidden]; forward computes h W_hh^T, backward dGates W_hh."""
    weights = torch.randn(4 * hidden, hidden) * 1e-2
    h = torch.randn(streams, hidden)
    gate_gradient = torch.randn(streams, 4 * hidden)

    def best(product):
        for _ in range(repeats // 4):
            product()
        times = []
        for _ in range(5):
            began = time.perf_counter()
            for _ in range(repeats):
                product()
            times.append((time.perf_counter() - began) / repeats * 1e6)
        return min(times)

    with torch.no_grad():
        return {"framework": "PyTorch", "environment": torch_common.environment(),
                "hidden": hidden, "streams": streams,
                "forwardMicros": best(lambda: torch.nn.functional.linear(h, weights)),
                "backwardMicros": best(lambda: gate_gradient.mm(weights))}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--text", required=True)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--window", type=int, default=100)
    parser.add_argument("--streams", type=int, default=32)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--clip", type=float, default=5.0)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--updates", type=int, default=40)
    parser.add_argument("--epochs", type=int, default=0)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--product", action="store_true",
                        help="only time the per-step matrix products nn.LSTM makes (forward"
                             " h W_hh^T, backward dGates W_hh), microseconds, best of five rounds")
    parser.add_argument("--repeats", type=int, default=2000)
    parser.add_argument("--chars", type=int, default=0, help="read only this many characters")
    parser.add_argument("--forget-gate-bias", type=float, default=None,
                        help="start every forget-gate bias here instead of PyTorch's uniform draw")
    parser.add_argument("--constant-biases", action="store_true",
                        help="start every bias at zero (forget gates at --forget-gate-bias), as"
                             " DL4J does, instead of PyTorch's uniform draw")
    args = parser.parse_args()
    if args.product:
        print(json.dumps(step_products(args.hidden, args.streams, args.repeats)))
        return
    with open(args.text, encoding="utf-8") as f:
        text = f.read()
    if args.chars > 0:
        text = text[: args.chars]
    symbols = sorted(set(text))
    index = {c: i for i, c in enumerate(symbols)}
    ids = [index[c] for c in text]
    split = int(len(ids) * 0.9)
    train, validation = ids[:split], ids[split:]
    torch.manual_seed(args.seed)
    model = CharLstm(len(symbols), args.hidden)
    if args.constant_biases:
        with torch.no_grad():
            model.lstm.bias_ih_l0.zero_()
            model.lstm.bias_hh_l0.zero_()
            model.out.bias.zero_()
    if args.forget_gate_bias is not None:
        with torch.no_grad():
            # PyTorch's gate blocks are input, forget, cell, output; it has two bias vectors.
            forget = slice(args.hidden, 2 * args.hidden)
            model.lstm.bias_ih_l0[forget] = args.forget_gate_bias
            model.lstm.bias_hh_l0[forget] = 0.0
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    data = streams(train, args.streams)

    def update(start, state):
        optimizer.zero_grad()
        logits, state = model(data[start : start + args.window], state)
        target = data[start + 1 : start + args.window + 1]
        loss = torch.nn.functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]), target.reshape(-1)
        )
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        optimizer.step()
        return loss.item(), tuple(s.detach() for s in state)

    result = {"environment": torch_common.environment(), "hidden": args.hidden,
              "forgetGateBias": args.forget_gate_bias, "constantBiases": args.constant_biases,
              "window": args.window, "streams": args.streams, "vocabulary": len(symbols)}
    if args.epochs == 0:
        state, start = None, 0
        for _ in range(args.warmup):
            _, state = update(start, state)
            start += args.window
        began = time.perf_counter()
        for _ in range(args.updates):
            _, state = update(start, state)
            start += args.window
        seconds = time.perf_counter() - began
        result.update({"updates": args.updates, "seconds": seconds,
                       "msPerUpdate": 1000 * seconds / args.updates,
                       "charactersPerSecond": args.updates * args.window * args.streams / seconds})
    else:
        epochs, seconds = [], 0.0
        for epoch in range(args.epochs):
            state, began, updates = None, time.perf_counter(), 0
            for start in range(0, data.shape[0] - args.window - 1, args.window):
                _, state = update(start, state)
                updates += 1
            seconds += time.perf_counter() - began
            loss, worst = validation_loss(model, validation, args.streams, args.window)
            epochs.append({"epoch": epoch + 1, "updates": updates, "validationNats": loss,
                           "validationBits": loss / math.log(2), "worstStreamNats": worst})
        result.update({"epochs": epochs, "seconds": seconds,
                       "charactersPerSecond": sum(e["updates"] for e in epochs)
                       * args.window * args.streams / seconds})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
