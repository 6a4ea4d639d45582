"""PyTorch-eager peer for Sharpkeras.Bench: trains the benchmark's models on the same data, batch size, thread
count and optimizer as the C# sides and prints the per-epoch seconds as one JSON line.

Run by the benchmark with the system Python (Debian's python3-torch); usage:
  pytorch_peer.py CASE DATA_DIR EPOCHS BATCH THREADS SEED
CASE: lenet_cf | lenet_cl | cifar | imdb_masked. DATA_DIR holds x.bin / y.bin (little-endian, raw) and
shape.json ({"x": [...], "x_dtype": "float32"|"int64", "y": [...], "y_dtype": ...}) written by the benchmark.
"""
import json
import os
import sys
import time

import numpy as np
import torch
from torch import nn


def lenet():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.Tanh(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.Tanh(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.Tanh(),
        nn.Linear(120, 84), nn.Tanh(),
        nn.Linear(84, 10))


def cifar():
    def block(cin, cout, pool):
        layers = [nn.Conv2d(cin, cout, 3), nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01), nn.ReLU()]
        return layers + ([nn.MaxPool2d(2)] if pool else [])
    return nn.Sequential(*block(3, 32, True), *block(32, 64, True), *block(64, 128, False),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(128, 10))


class ImdbLstm(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        self.emb = nn.Embedding(vocab, 64)
        self.lstm = nn.LSTM(64, 64, batch_first=True)
        self.out = nn.Linear(64, 1)

    def forward(self, x):
        lengths = (x != 0).sum(1).cpu()
        packed = nn.utils.rnn.pack_padded_sequence(self.emb(x), lengths, batch_first=True, enforce_sorted=False)
        _, (h, _) = self.lstm(packed)
        return torch.sigmoid(self.out(h[-1])).squeeze(-1)


def load(data_dir):
    with open(os.path.join(data_dir, "shape.json")) as f:
        meta = json.load(f)
    x = np.fromfile(os.path.join(data_dir, "x.bin"), dtype=meta["x_dtype"]).reshape(meta["x"])
    y = np.fromfile(os.path.join(data_dir, "y.bin"), dtype=meta["y_dtype"]).reshape(meta["y"])
    return torch.from_numpy(x), torch.from_numpy(y)


def main():
    case, data_dir, epochs, batch, threads, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    x, y = load(data_dir)
    binary = case == "imdb_masked"
    if case.startswith("lenet"):
        model = lenet()
    elif case == "cifar":
        model = cifar()
    else:
        model = ImdbLstm(10000)
    if case in ("lenet_cl",):
        model = model.to(memory_format=torch.channels_last)
    if x.dim() == 4:
        x = x.permute(0, 3, 1, 2)  # the data is N H W C; a channels_last-strided N C H W view
        if case != "lenet_cl" and case != "cifar_cl":
            x = x.contiguous()
    model.train()
    opt = torch.optim.Adam(model.parameters(), 1e-3, eps=1e-7)
    loss_fn = nn.BCELoss() if binary else nn.CrossEntropyLoss()
    n = x.shape[0]
    times = []
    for _ in range(epochs):
        t0 = time.perf_counter()
        perm = torch.randperm(n)
        total, correct = 0.0, 0
        for i in range(0, n, batch):
            idx = perm[i:i + batch]
            xb = x.index_select(0, idx)
            if case == "lenet_cl":
                xb = xb.contiguous(memory_format=torch.channels_last)
            yb = y.index_select(0, idx)
            opt.zero_grad()
            out = model(xb)
            loss = loss_fn(out, yb)
            loss.backward()
            opt.step()
            total += loss.item()
            if not binary:
                correct += int((out.argmax(1) == yb).sum().item())
        times.append(time.perf_counter() - t0)
    print(json.dumps({"case": case, "seconds": times, "torch": torch.__version__, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
