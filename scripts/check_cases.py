"""Reruns reference cases in float64 and reports how far each float32 tensor is from the exact answer,
next to the golden tolerance's two bounds, and which tensors are entirely zero.

Usage: /usr/bin/python3 scripts/check_cases.py CASE_DIR [CASE_DIR ...]
Prints one line per tensor whose float64 error uses more than 10% of either bound, one line per all-zero
tensor, and a summary: the largest share of each bound that a float64 rerun uses. A correct float32
implementation differs from PyTorch's float32 result by about twice the float32-vs-float64 error, so
both shares must stay well under 50% for the tolerance to be reachable (docs/testing.md).
"""
import glob, os, sys
sys.path.insert(0, os.path.dirname(__file__))
import torch
from check_saved_state import read_safetensors
from torch_models import MODELS, load_with_constants

ABS, REL = 1e-4, 1e-3  # the golden tolerance: max|a-e| <= ABS*(1+max|e|) and <= REL*max|e|


def rerun(name, case):
    model = MODELS[name][0]()
    state = {k: v for k, v in case.items() if k not in ("input", "output") and not k.startswith("grad.")}
    load_with_constants(model, state)
    model = model.double()
    for mod in model.modules():
        if hasattr(mod, "rand_weight"):
            mod.rand_weight = mod.rand_weight.double()
    x = case["input"].double().requires_grad_(True)
    out = model(x)
    out.backward(case["grad.output"].double())
    got = {"output": out.detach(), "grad.input": x.grad}
    for key, p in model.state_dict(keep_vars=True).items():
        if isinstance(p, torch.nn.Parameter):
            got["grad." + key] = p.grad
    return got


def main():
    worst_abs = worst_rel = 0.0
    for d in sys.argv[1:]:
        for path in sorted(glob.glob(os.path.join(d, "*.safetensors"))):
            case, meta = read_safetensors(path)
            name = meta.get("model") or os.path.basename(path).rsplit("-s", 1)[0]
            got = rerun(name, case)
            zero = [k for k in got if float(case[k].abs().max()) == 0.0]
            if zero and len(zero) == len(got):
                print(f"{os.path.basename(path)}: ALL-ZERO case (output and every gradient are 0)")
            elif zero:
                print(f"{os.path.basename(path)}: all-zero tensors {zero}")
            for key, t64 in got.items():
                e = case[key].double()
                m = float(e.abs().max())
                diff = float((t64 - e).abs().max())
                share_abs = diff / (ABS * (1 + m))
                share_rel = diff / (REL * m) if m > 0 else (0.0 if diff == 0 else float("inf"))
                worst_abs, worst_rel = max(worst_abs, share_abs), max(worst_rel, share_rel)
                if share_abs > 0.1 or share_rel > 0.1:
                    print(f"{os.path.basename(path)} {key}: max|e| {m:.3g} float64 diff {diff:.3g} "
                          f"= {100 * share_abs:.1f}% of abs bound, {100 * share_rel:.1f}% of rel bound")
    print(f"largest share used by a float64 rerun: {100 * worst_abs:.2f}% of 1e-4(1+max|e|), "
          f"{100 * worst_rel:.2f}% of 1e-3 max|e|")


if __name__ == "__main__":
    main()
