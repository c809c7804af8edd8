#!/usr/bin/env python3
"""Loads a model saved by `bin/cairn train --data fashion-mnist --save FILE` into PyTorch and scores it.

    /usr/bin/python3 scripts/check_fashion_model.py MODEL FILE [DATA_DIR]

MODEL is mlp-fashion (nn.Sequential(Flatten, Linear(784, 256), ReLU, Linear(256, 10))) or lenet
(reference_models.lenet() in ../shared/models, when present). The state dict is loaded strictly; the
script prints `test accuracy XX.XX% (n/N)` on the test files of DATA_DIR (default: Debian's
/usr/share/datasets/fashion-mnist; plain or .gz), which must equal the last line Cairn printed.
"""
import gzip
import json
import os
import struct
import sys

import numpy as np
import torch
from torch import nn

DTYPES = {"F32": np.float32, "F64": np.float64, "I64": np.int64}


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    out = {}
    for key, info in header.items():
        if key == "__metadata__":
            continue
        b, e = info["data_offsets"]
        arr = np.frombuffer(data[b:e], dtype=DTYPES[info["dtype"]]).reshape(info["shape"])
        out[key] = torch.from_numpy(arr.copy())
    return out


def read_idx(path):
    opener = gzip.open if open(path, "rb").read(2) == b"\x1f\x8b" else open
    with opener(path, "rb") as f:
        raw = f.read()
    rank = raw[3]
    dims = struct.unpack(">" + "I" * rank, raw[4:4 + 4 * rank])
    return np.frombuffer(raw[4 + 4 * rank:], dtype=np.uint8).reshape(dims)


def find(directory, name):
    for candidate in (name, name + ".gz"):
        if os.path.exists(os.path.join(directory, candidate)):
            return os.path.join(directory, candidate)
    raise SystemExit(f"{name}[.gz] not found in {directory}")


def model_named(name):
    if name == "mlp-fashion":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "models"))
    import reference_models
    return getattr(reference_models, name)()


def main():
    name, file = sys.argv[1], sys.argv[2]
    data_dir = sys.argv[3] if len(sys.argv) > 3 else "/usr/share/datasets/fashion-mnist"
    model = model_named(name)
    model.load_state_dict(read_safetensors(file), strict=True)
    model.eval()
    x = torch.from_numpy(read_idx(find(data_dir, "t10k-images-idx3-ubyte")).copy()).float().div(255).unsqueeze(1)
    y = torch.from_numpy(read_idx(find(data_dir, "t10k-labels-idx1-ubyte")).astype(np.int64))
    with torch.no_grad():
        pred = torch.cat([model(x[i:i + 1000]).argmax(1) for i in range(0, len(x), 1000)])
    correct = int((pred == y).sum())
    print(f"test accuracy {100.0 * correct / len(y):.2f}% ({correct}/{len(y)})")


if __name__ == "__main__":
    main()
