#!/usr/bin/env python3
"""PyTorch's side of `bin/cairn train --data fashion-mnist`: the same model, SGD, batch size and epochs,
printing each epoch's loss, training accuracy and images/s and the test accuracy, to compare throughput on
one machine.

images/s is defined as `bin/cairn train` defines it: the training images of one epoch (all of them, the last
short batch too) over that epoch's wall time, from before the shuffle to after the last batch's step and
its read-backs (the batch loss and the count of correct predictions, which both sides compute every batch);
the test-set evaluation is not timed.

    OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 scripts/torch_fashion_train.py [--optimizer sgd|adam] MODEL [EPOCHS]
        [BATCH] [LR] [DATA_DIR] [SAVE]

MODEL is mlp-fashion or lenet (reference_models.lenet() from ../shared/models). Data as Cairn reads it
(images / 255), shuffled each epoch; SAVE (optional) writes the state dict with torch.save. --optimizer as
`bin/cairn train --optimizer`: sgd (default, LR default 0.1) or adam (torch.optim.Adam's defaults, LR default
0.001).
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
    argv = sys.argv[1:]
    optimizer = "sgd"
    if "--optimizer" in argv:
        i = argv.index("--optimizer")
        optimizer = argv[i + 1]
        del argv[i:i + 2]
        if optimizer not in ("sgd", "adam"):
            sys.exit(f"--optimizer must be sgd or adam, got {optimizer!r}")
    name = argv[0]
    epochs = int(argv[1]) if len(argv) > 1 else 10
    batch = int(argv[2]) if len(argv) > 2 else 256
    lr = float(argv[3]) if len(argv) > 3 else (0.1 if optimizer == "sgd" else 1e-3)
    data_dir = argv[4] if len(argv) > 4 else "/usr/share/datasets/fashion-mnist"
    torch.manual_seed(0)
    xtr, ytr = load(data_dir, "train")
    xte, yte = load(data_dir, "t10k")
    model = model_named(name)
    opt = (torch.optim.SGD if optimizer == "sgd" else torch.optim.Adam)(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; {name}, {optimizer} lr {lr}, batch {batch},"
          f" {epochs} epochs")
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
    if len(argv) > 5:
        torch.save(model.state_dict(), argv[5])


if __name__ == "__main__":
    main()
