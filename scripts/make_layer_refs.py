#!/usr/bin/env python3
"""Reference values from PyTorch for Cairn's layer-library tests (issue 12).

Run with Debian's /usr/bin/python3 (python3-torch, PyTorch 1.13):
    /usr/bin/python3 scripts/make_layer_refs.py
It writes cpu-backend/src/test/resources/dev/cairn/nn/layer_refs.json: a JSON object whose entries are
either tensors {"shape": [...], "data": [...]} (float32 values written as Python floats, exact), lists
of numbers (learning-rate sequences, doubles), or strings (print(module) text).
"""
import json
import math
import os

import torch
from torch import nn
from torch.nn import functional as F

torch.manual_seed(12)
out = {}


def put(name, t):
    t = t.detach().to(torch.float32).contiguous()
    out[name] = {"shape": list(t.shape), "data": [float(v) for v in t.flatten().tolist()]}


# ---- losses ----------------------------------------------------------------------------------
x = (torch.randn(4, 5) * 3)
x[0, 0] = 0.0
t = torch.randn(4, 5) * 3
t[0, 0] = 0.0            # a zero difference: gradient of |.| there is 0
t[1, 1] = x[1, 1] + 0.5  # exactly at beta = 0.5
put("loss.x", x)
put("loss.t", t)
for red in ["none", "mean", "sum"]:
    xi = x.clone().requires_grad_(True)
    y = F.l1_loss(xi, t, reduction=red)
    put(f"l1.{red}.out", y)
    y.sum().backward()
    put(f"l1.{red}.grad", xi.grad)
for beta in [1.0, 0.5, 0.0, 2.5]:
    for red in ["none", "mean", "sum"]:
        xi = x.clone().requires_grad_(True)
        y = F.smooth_l1_loss(xi, t, reduction=red, beta=beta)
        put(f"smoothl1.{beta}.{red}.out", y)
        y.sum().backward()
        put(f"smoothl1.{beta}.{red}.grad", xi.grad)

logits = torch.randn(3, 4) * 4
logits[0, 0] = 60.0
logits[0, 1] = -60.0
logits[1, 2] = 0.0
target = torch.rand(3, 4)
target[0, 0] = 0.0
target[0, 1] = 1.0
weight = torch.rand(3, 4) + 0.5
pos_weight = torch.rand(4) * 3
put("bce.logits", logits)
put("bce.target", target)
put("bce.weight", weight)
put("bce.pos_weight", pos_weight)
for red in ["none", "mean", "sum"]:
    for variant, kw in [("plain", {}), ("weight", {"weight": weight}), ("pos", {"pos_weight": pos_weight}),
                        ("both", {"weight": weight, "pos_weight": pos_weight})]:
        li = logits.clone().requires_grad_(True)
        y = F.binary_cross_entropy_with_logits(li, target, reduction=red, **kw)
        put(f"bce.{variant}.{red}.out", y)
        y.sum().backward()
        put(f"bce.{variant}.{red}.grad", li.grad)

# ---- activations -----------------------------------------------------------------------------
a = torch.randn(3, 7) * 2
a[0, 0] = 0.0
put("act.x", a)
for slope in [0.01, 0.1, -0.5, 2.0]:
    ai = a.clone().requires_grad_(True)
    y = F.leaky_relu(ai, slope)
    put(f"leaky.{slope}.out", y)
    (y * torch.arange(21.0).reshape(3, 7)).sum().backward()
    put(f"leaky.{slope}.grad", ai.grad)
put("act.upstream", torch.arange(21.0).reshape(3, 7))

# ---- reprs -----------------------------------------------------------------------------------
out["repr.simple"] = str(nn.Sequential(
    nn.Identity(), nn.Flatten(), nn.Flatten(0, 2), nn.Unflatten(1, (2, 3)), nn.Unflatten(-1, (4,)),
    nn.Dropout(), nn.Dropout(0.2), nn.Dropout(1e-05), nn.LeakyReLU(), nn.LeakyReLU(0.1),
    nn.Softmax(dim=-1), nn.LogSoftmax(dim=1)))
out["repr.containers"] = str(nn.ModuleDict({
    "list": nn.ModuleList([nn.Linear(2, 3), nn.ModuleList(), nn.Sequential(nn.Linear(3, 1), nn.ReLU())]),
    "mix": nn.Linear(4, 3),
    "empty": nn.ModuleDict()}))

# ---- optimizers ------------------------------------------------------------------------------
p0 = [torch.randn(3, 4), torch.randn(4)]
steps = 6
grads = [[torch.randn(3, 4), torch.randn(4)] for _ in range(steps)]
for i, p in enumerate(p0):
    put(f"opt.p{i}", p)
for k in range(steps):
    for i in range(2):
        put(f"opt.g{k}.{i}", grads[k][i])
for name, make in [("adamw", lambda ps: torch.optim.AdamW(ps, lr=0.01)),
                   ("adamw_wd_ams", lambda ps: torch.optim.AdamW(ps, lr=0.02, betas=(0.8, 0.99), eps=1e-6,
                                                                 weight_decay=0.1, amsgrad=True))]:
    ps = [p.clone().requires_grad_(True) for p in p0]
    opt = make(ps)
    for k in range(steps):
        for i, p in enumerate(ps):
            p.grad = grads[k][i].clone()
        opt.step()
    for i, p in enumerate(ps):
        put(f"opt.{name}.p{i}", p)

# ---- gradient clipping -----------------------------------------------------------------------
cg = [torch.randn(2, 3), torch.randn(5), torch.randn(1, 1) * 4]
for i, g in enumerate(cg):
    put(f"clip.g{i}", g)
for norm_type in [2.0, 1.0, float("inf"), 3.0]:
    for max_norm in [1.0, 100.0]:
        ps = [torch.zeros_like(g, requires_grad=True) for g in cg]
        for p, g in zip(ps, cg):
            p.grad = g.clone()
        total = torch.nn.utils.clip_grad_norm_(ps, max_norm, norm_type)
        key = f"clip.{norm_type}.{max_norm}"
        put(key + ".total", total)
        for i, p in enumerate(ps):
            put(f"{key}.g{i}", p.grad)

# ---- schedulers ------------------------------------------------------------------------------
def lrs(make, n=25, lr=0.1):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    sched = make(opt)
    seq = [sched.get_last_lr()[0]]
    for _ in range(n):
        opt.step()
        sched.step()
        seq.append(sched.get_last_lr()[0])
    return seq


S = torch.optim.lr_scheduler
out["sched.step"] = lrs(lambda o: S.StepLR(o, step_size=3, gamma=0.5))
out["sched.cosine"] = lrs(lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.001))
out["sched.linear"] = lrs(lambda o: S.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=4))
out["sched.sequential"] = lrs(lambda o: S.SequentialLR(
    o, [S.LinearLR(o, start_factor=0.25, total_iters=3), S.CosineAnnealingLR(o, T_max=8)], milestones=[3]))
out["sched.sequential3"] = lrs(lambda o: S.SequentialLR(
    o, [S.LinearLR(o, start_factor=0.5, total_iters=2), S.StepLR(o, 2, 0.3), S.CosineAnnealingLR(o, T_max=5, eta_min=0.01)],
    milestones=[4, 10]), n=30)

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cpu-backend", "src", "test", "resources",
                    "dev", "cairn", "nn", "layer_refs.json")
with open(path, "w") as f:
    json.dump(out, f, indent=None, separators=(",", ":"))
    f.write("\n")
print("wrote", os.path.normpath(path), len(out), "entries")
