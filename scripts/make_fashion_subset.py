#!/usr/bin/env python3
"""Makes the small Fashion-MNIST subset that Cairn's tests use, and PyTorch reference values for it.

    /usr/bin/python3 scripts/make_fashion_subset.py [/usr/share/datasets/fashion-mnist]

Reads the official gzip-compressed IDX files (Debian's dataset-fashion-mnist installs them in
/usr/share/datasets/fashion-mnist) and writes the first 512 training and first 256 test examples to
samples/src/test/resources/fashion-mnist-subset/: the training files gzip-compressed (as released), the
test files plain, so both forms are exercised. Also writes reference.json there: the label counts, and,
for a few examples, the pixel sums and values of the image as torch.tensor(uint8).float().div(255)
(what torchvision's ToTensor gives).
"""
import gzip
import json
import os
import struct
import sys

import torch

src = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
dst = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "samples", "src", "test", "resources",
                   "fashion-mnist-subset")
os.makedirs(dst, exist_ok=True)
ref = {}
for split, n, compress in [("train", 512, True), ("t10k", 256, False)]:
    with gzip.open(os.path.join(src, f"{split}-images-idx3-ubyte.gz")) as f:
        magic, count, rows, cols = struct.unpack(">IIII", f.read(16))
        assert magic == 0x803 and rows == 28 and cols == 28
        images = f.read(n * 784)
    with gzip.open(os.path.join(src, f"{split}-labels-idx1-ubyte.gz")) as f:
        magic, count = struct.unpack(">II", f.read(8))
        assert magic == 0x801
        labels = f.read(n)
    files = {f"{split}-images-idx3-ubyte": struct.pack(">IIII", 0x803, n, 28, 28) + images,
             f"{split}-labels-idx1-ubyte": struct.pack(">II", 0x801, n) + labels}
    for name, data in files.items():
        if compress:
            with gzip.GzipFile(os.path.join(dst, name + ".gz"), "wb", mtime=0) as f:
                f.write(data)
        else:
            with open(os.path.join(dst, name), "wb") as f:
                f.write(data)
    x = torch.tensor(list(images), dtype=torch.uint8).reshape(n, 1, 28, 28).float().div(255)
    y = torch.tensor(list(labels), dtype=torch.int64)
    ref[split] = {
        "count": n,
        "label_counts": torch.bincount(y, minlength=10).tolist(),
        "labels_head": y[:16].tolist(),
        "pixel_sums": [float(x[i].double().sum()) for i in (0, 1, n - 1)],
        "image0_row14": x[0, 0, 14].tolist(),
    }
with open(os.path.join(dst, "reference.json"), "w") as f:
    json.dump(ref, f, indent=1)
print("wrote", os.path.normpath(dst))
