#!/usr/bin/env python3
"""PyTorch's side of `bin/cairn train --data fashion-mnist`: the same model, SGD, batch size and epochs,
printing each epoch's loss, training accuracy and images/s and the test accuracy, to compare throughput on
one machine.

images/s is defined as `bin/cairn train` defines it: the training images of one epoch (all of them, the last
short batch too) over that epoch's wall time, from before the shuffle to after the last batch's step and
its read-backs (the batch loss and the count of correct predictions, which both sides compute every batch);
the test-set evaluation is not timed.

    OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 scripts/torch_fashion_train.py MODEL [EPOCHS] [BATCH] [LR] [DATA_DIR] [SAVE]

MODEL is mlp-fashion or lenet (reference_models.lenet() from ../shared/models). Data as Cairn reads it
(images / 255), shuffled each epoch; SAVE (optional) writes the state dict with torch.save.
"""
import os
import sys
import time

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_fashion_model import find, model_named, read_idx  # noqa: E402


def load(data_dir, split):
    x = torch.from_numpy(read_idx(find(data_dir, f"{split}-images-idx3-ubyte")).copy()).float().div(255).unsqueeze(1)
    y = torch.from_numpy(read_idx(find(data_dir, f"{split}-labels-idx1-ubyte")).astype("int64"))
    return x, y


def main():
    name = sys.argv[1]
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    batch = int(sys.argv[3]) if len(sys.argv) > 3 else 256
    lr = float(sys.argv[4]) if len(sys.argv) > 4 else 0.1
    data_dir = sys.argv[5] if len(sys.argv) > 5 else "/usr/share/datasets/fashion-mnist"
    torch.manual_seed(0)
    xtr, ytr = load(data_dir, "train")
    xte, yte = load(data_dir, "t10k")
    model = model_named(name)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; {name}, batch {batch}, lr {lr}, {epochs} epochs")
    for epoch in range(1, epochs + 1):
        model.train()
        start = time.perf_counter()
        perm = torch.randperm(len(xtr))
        total = 0.0
        correct = 0
        for i in range(0, len(xtr), batch):
            idx = perm[i:i + batch]
            xb, yb = xtr[idx], ytr[idx]
            opt.zero_grad()
            logits = model(xb)
            loss = loss_fn(logits, yb)
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
            correct += int((logits.argmax(1) == yb).sum())
        seconds = time.perf_counter() - start
        print(f"epoch {epoch}/{epochs}  loss {total / len(xtr):.4f}  train acc {100.0 * correct / len(xtr):.2f}%"
              f"  {len(xtr) / seconds:.0f} images/s  {seconds:.1f} s")
    model.eval()
    with torch.no_grad():
        pred = torch.cat([model(xte[i:i + 1000]).argmax(1) for i in range(0, len(xte), 1000)])
    correct = int((pred == yte).sum())
    print(f"test accuracy {100.0 * correct / len(yte):.2f}% ({correct}/{len(yte)})")
    if len(sys.argv) > 6:
        torch.save(model.state_dict(), sys.argv[6])


if __name__ == "__main__":
    main()
