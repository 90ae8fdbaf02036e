"""PyTorch reference for training (issue 7, item 4): the recipe of rnnstream's SequenceTrainer on
the very same split and normalized data, which the suite writes to a JSON file. One thread.

Recipe: one LSTM layer, loss at each sequence's last valid step, full backpropagation through time,
Adam, element-wise gradient clipping, L2 on weights (not biases), Xavier-normal weights, zero
biases but the forget gate's (1, as DL4J), a reshuffle every epoch, the best epoch by validation
accuracy (ties: lower loss) restored at the end, test accuracy of that epoch's weights. Token input
(sequences of ids, with the vocabulary's size and the embedding width in the file) goes through an
embedding without bias before the LSTM, as rnnstream's token models do. Prints one JSON object."""
import argparse
import copy
import json
import random
import time

import torch_common
import torch


class Classifier(torch.nn.Module):
    def __init__(self, inputs, hidden, classes, vocabulary=0):
        super().__init__()
        # With a vocabulary, inputs is the embedding's width.
        self.embedding = torch.nn.Embedding(vocabulary, inputs) if vocabulary else None
        self.lstm = torch.nn.LSTM(inputs, hidden, batch_first=True)
        self.out = torch.nn.Linear(hidden, classes)
        for name, parameter in self.named_parameters():
            if "weight" in name:
                torch.nn.init.xavier_normal_(parameter)
            else:
                torch.nn.init.zeros_(parameter)
        # DL4J starts the forget gate's bias at 1 (its forgetGateBiasInit); gate order i, f, g, o.
        with torch.no_grad():
            self.lstm.bias_ih_l0[hidden : 2 * hidden] = 1.0

    def forward(self, x, lengths):
        if self.embedding is not None:
            x = self.embedding(x)
        outputs, _ = self.lstm(x)
        last = outputs[torch.arange(x.shape[0]), lengths - 1]
        return self.out(last)


def pad(sequences):
    if "tokens" in sequences[0]:
        return pad_tokens(sequences)
    lengths = torch.tensor([len(s["features"]) for s in sequences])
    x = torch.zeros(len(sequences), int(lengths.max()), len(sequences[0]["features"][0]))
    for b, s in enumerate(sequences):
        x[b, : len(s["features"])] = torch.tensor(s["features"])
    labels = torch.tensor([s["label"] for s in sequences])
    return x, lengths, labels


def pad_tokens(sequences):
    """Ids padded with 0 after each sequence's end; the output is read at the last valid step."""
    lengths = torch.tensor([len(s["tokens"]) for s in sequences])
    x = torch.zeros(len(sequences), int(lengths.max()), dtype=torch.long)
    for b, s in enumerate(sequences):
        x[b, : len(s["tokens"])] = torch.tensor(s["tokens"], dtype=torch.long)
    labels = torch.tensor([s["label"] for s in sequences])
    return x, lengths, labels


def evaluate(model, sequences):
    model.eval()
    with torch.no_grad():
        x, lengths, labels = pad(sequences)
        logits = model(x, lengths)
        loss = torch.nn.functional.cross_entropy(logits, labels).item()
        accuracy = (logits.argmax(1) == labels).float().mean().item()
    model.train()
    return accuracy, loss


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--epochs", type=int, required=True)
    parser.add_argument("--batch", type=int, required=True)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.005)
    parser.add_argument("--clip", type=float, default=1.0)
    parser.add_argument("--l2", type=float, default=1e-5)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    with open(args.data, encoding="utf-8") as f:
        data = json.load(f)
    torch.manual_seed(args.seed)
    shuffle = random.Random(args.seed)
    train, validation, test = data["train"], data["validation"], data["test"]
    if "vocabulary" in data:
        model = Classifier(data["embedding"], args.hidden, data["classes"], data["vocabulary"])
    else:
        model = Classifier(len(train[0]["features"][0]), args.hidden, data["classes"])
    weights = [p for n, p in model.named_parameters() if "weight" in n]
    biases = [p for n, p in model.named_parameters() if "weight" not in n]
    optimizer = torch.optim.Adam(
        [{"params": weights, "weight_decay": args.l2}, {"params": biases, "weight_decay": 0.0}],
        lr=args.lr,
    )
    best = (evaluate(model, validation), copy.deepcopy(model.state_dict()))
    epoch_seconds = []
    for _ in range(args.epochs):
        start = time.perf_counter()
        order = list(train)
        shuffle.shuffle(order)
        for i in range(0, len(order), args.batch):
            x, lengths, labels = pad(order[i : i + args.batch])
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x, lengths), labels)
            loss.backward()
            torch.nn.utils.clip_grad_value_(model.parameters(), args.clip)
            optimizer.step()
        accuracy, loss = evaluate(model, validation)
        epoch_seconds.append(time.perf_counter() - start)
        if accuracy > best[0][0] or (accuracy == best[0][0] and loss < best[0][1]):
            best = ((accuracy, loss), copy.deepcopy(model.state_dict()))
    seconds = sum(epoch_seconds)
    model.load_state_dict(best[1])
    test_accuracy, _ = evaluate(model, test)
    print(
        json.dumps(
            {
                "environment": torch_common.environment(),
                "epochs": args.epochs,
                "batch": args.batch,
                "trainSequences": len(train),
                "seconds": seconds,
                "sequencesPerSecond": len(train) * args.epochs / seconds,
                "epochSeconds": epoch_seconds,
                "validationAccuracy": best[0][0],
                "testAccuracy": test_accuracy,
            }
        )
    )


if __name__ == "__main__":
    main()
