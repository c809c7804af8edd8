"""Makes PyTorch reference cases in the golden format (../shared/golden/README.md).

Usage: /usr/bin/python3 scripts/make_cases.py OUT_DIR --seeds 3,11 --batches 2,7 [--scale 1.0]
       [--models a,b] [--seeds-for MODEL=S1,S2 ...] [--allow-all-zero]
Needs PyTorch (Debian: apt-get install python3-torch) and writes OUT_DIR/MODEL-sSEED-bBATCH.safetensors.

A case whose output and every gradient are exactly 0 (for example mylinear with its final one-unit ReLU
dead) checks nothing, so the script stops on one unless --allow-all-zero is given; --seeds-for picks other
seeds for such a model. The test resources in samples/src/test/resources/fresh are made by:
  /usr/bin/python3 scripts/make_cases.py samples/src/test/resources/fresh --seeds-for mylinear=11,17
(mylinear's seed 3 is dead at both batch sizes; seed 17 has live and dead rows at both.)
"""
import argparse, json, os, struct, sys
sys.path.insert(0, os.path.dirname(__file__))
import torch
from torch_models import MODELS, state_dict_with_constants


DTYPES = {torch.float32: "F32", torch.int64: "I64", torch.int32: "I32", torch.bool: "BOOL"}


def save_safetensors(path, tensors, metadata, keep_dtypes=False):
    """Writes the safetensors format (8-byte LE header length, JSON header, raw LE data): every tensor as
    float32, or with keep_dtypes each in its own dtype (F32, I64, I32, BOOL)."""
    header, blobs, offset = {}, [], 0
    for key in sorted(tensors):
        t = tensors[key].detach().contiguous()
        if not keep_dtypes:
            t = t.to(torch.float32)
        data = t.numpy().tobytes()
        header[key] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = metadata
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * ((8 - len(raw) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)


def make_case(name, seed, batch, scale):
    factory, width = MODELS[name]
    torch.manual_seed(seed)
    model = factory()
    X = (torch.randn(batch, width) * scale).requires_grad_(True)
    out = model(X)
    G = torch.randn_like(out)
    out.backward(G)
    tensors = dict(state_dict_with_constants(model))
    tensors["input"] = X
    tensors["output"] = out
    tensors["grad.output"] = G
    tensors["grad.input"] = X.grad
    for key, p in model.state_dict(keep_vars=True).items():
        if isinstance(p, torch.nn.Parameter) and p.requires_grad:
            tensors["grad." + key] = p.grad
    meta = {"model": name, "seed": str(seed), "batch": str(batch), "scale": str(scale),
            "torch": torch.__version__, "backward": "output.backward(grad.output)"}
    return tensors, meta


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--seeds", default="3,11")
    ap.add_argument("--batches", default="2,7")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--seeds-for", action="append", default=[], metavar="MODEL=S1,S2",
                    help="other seeds for one model (repeatable)")
    ap.add_argument("--allow-all-zero", action="store_true",
                    help="write cases whose output and gradients are all exactly 0")
    a = ap.parse_args()
    seeds_for = {}
    for item in a.seeds_for:
        model, _, seeds = item.partition("=")
        if model not in MODELS or not seeds:
            ap.error(f"--seeds-for {item!r}: expected MODEL=S1,S2 with MODEL one of {', '.join(MODELS)}")
        seeds_for[model] = seeds
    os.makedirs(a.out, exist_ok=True)
    for name in a.models.split(","):
        for seed in map(int, seeds_for.get(name, a.seeds).split(",")):
            for batch in map(int, a.batches.split(",")):
                tensors, meta = make_case(name, seed, batch, a.scale)
                checked = [k for k in tensors if k == "output" or (k.startswith("grad.") and k != "grad.output")]
                if not a.allow_all_zero and all(float(tensors[k].abs().max()) == 0.0 for k in checked):
                    sys.exit(f"{name} seed {seed} batch {batch}: output and every gradient are exactly 0, so the "
                             f"case checks nothing; pick other seeds with --seeds-for {name}=S1,S2 "
                             f"(or pass --allow-all-zero if that is the point)")
                save_safetensors(os.path.join(a.out, f"{name}-s{seed}-b{batch}.safetensors"), tensors, meta)
    print("wrote cases to", a.out)


if __name__ == "__main__":
    main()
