"""Checks that PyTorch loads a state dict written by `bin/cairn conform --save-state` into its own model
and reproduces the case's output exactly.

Usage: /usr/bin/python3 scripts/check_saved_state.py MODEL STATE_FILE CASE_FILE
Reads safetensors with a small reader here (the `safetensors` package is not needed).
"""
import json, os, struct, sys
sys.path.insert(0, os.path.dirname(__file__))
import numpy as np
import torch
from torch_models import MODELS, load_with_constants

DTYPES = {"F32": np.float32, "F64": np.float64, "F16": np.float16}


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
        out[key] = torch.from_numpy(arr.astype(np.float32).copy())
    return out, header.get("__metadata__", {})


def main():
    name, state_file, case_file = sys.argv[1:4]
    state, meta = read_safetensors(state_file)
    case, _ = read_safetensors(case_file)
    model = MODELS[name][0]()
    load_with_constants(model, state)
    with torch.no_grad():
        out = model(case["input"])
    diff = (out - case["output"]).abs().max().item()
    print(f"{name}: PyTorch loaded {len(state)} tensors from {state_file} (metadata {meta}); "
          f"max |output - case output| = {diff:.3e}")
    sys.exit(0 if diff <= 1e-6 * (1 + case["output"].abs().max().item()) else 1)


if __name__ == "__main__":
    main()
