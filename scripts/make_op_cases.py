#!/usr/bin/env python3
"""Reference values for Cairn's tensor ops, made by PyTorch (Debian's python3-torch, 1.13).

For each case: the inputs (float32, seeded), the output of the op in PyTorch, a random upstream
gradient, and the gradient of every input. Written as one safetensors file whose keys are
`<case>.in<i>`, `<case>.out`, `<case>.gout`, `<case>.grad<i>`. The Java side
(`OpReferenceTest` in cpu-backend) has one lambda per case name that must mirror the lambda here.

    /usr/bin/python3 scripts/make_op_cases.py cpu-backend/src/test/resources/ops/op_cases.safetensors
"""
import math, sys
import torch
sys.path.insert(0, __import__("os").path.dirname(__file__))
from make_cases import save_safetensors

F = torch.nn.functional
g = torch.Generator().manual_seed(20261201)


def rnd(*shape, scale=2.0):
    return (torch.rand(tuple(shape), generator=g) * 2 - 1) * scale


def special(*shape):
    """Random values with NaN, +inf and -inf planted in the first row."""
    x = rnd(*shape, scale=4.0)
    flat = x.view(-1)
    flat[0], flat[1], flat[2] = float("nan"), float("inf"), float("-inf")
    return x


def ties(*shape):
    """Small integers, so that maxima repeat within rows."""
    return torch.randint(-2, 3, shape, generator=g).float()


CASES = {
    # pointwise primitives and composites
    "tanh": ([rnd(3, 5)], lambda x: x.tanh()),
    "tanh_special": ([special(2, 4)], lambda x: x.tanh()),
    "tanh_transposed": ([rnd(4, 3)], lambda x: x.t().tanh()),
    "sigmoid": ([rnd(3, 5, scale=6)], lambda x: x.sigmoid()),
    "sigmoid_special": ([special(2, 4)], lambda x: x.sigmoid()),
    "erf": ([rnd(4, 4, scale=3)], lambda x: torch.erf(x)),
    "sin": ([rnd(3, 4, scale=5)], lambda x: x.sin()),
    "cos": ([rnd(3, 4, scale=5)], lambda x: x.cos()),
    "reciprocal": ([rnd(3, 4).abs() + 0.25], lambda x: x.reciprocal()),
    "rsqrt": ([rnd(3, 4).abs() + 0.25], lambda x: x.rsqrt()),
    "square": ([rnd(3, 4)], lambda x: x.square()),
    "clamp": ([rnd(4, 5)], lambda x: x.clamp(-0.5, 0.75)),
    "clamp_special": ([special(2, 4)], lambda x: x.clamp(-1.0, 1.0)),
    "clamp_min": ([rnd(4, 5)], lambda x: x.clamp(min=0.25)),
    "gelu": ([rnd(4, 6, scale=4)], lambda x: F.gelu(x)),
    "gelu_tanh": ([rnd(4, 6, scale=4)], lambda x: F.gelu(x, approximate="tanh")),
    "silu": ([rnd(4, 6, scale=4)], lambda x: F.silu(x)),
    "leaky_relu": ([rnd(4, 6)], lambda x: F.leaky_relu(x, 0.1)),
    "softplus": ([rnd(4, 6, scale=30)], lambda x: F.softplus(x)),
    "softplus_beta": ([rnd(4, 6, scale=5)], lambda x: F.softplus(x, beta=2.0)),
    # normalisation and reductions
    "softmax_last": ([rnd(3, 4, 5, scale=5)], lambda x: x.softmax(-1)),
    "softmax_dim0": ([rnd(3, 5, scale=5)], lambda x: x.softmax(0)),
    "softmax_transposed": ([rnd(5, 3)], lambda x: x.t().softmax(-1)),
    "softmax_masked": ([rnd(2, 6)], lambda x: x.masked_fill(torch.tensor([[False, True, False, False, True, False],
                                                                          [True, False, False, False, False, False]]),
                                                            float("-inf")).softmax(-1)),
    "log_softmax": ([rnd(3, 7, scale=8)], lambda x: x.log_softmax(1)),
    "log_softmax_big": ([rnd(2, 5, scale=100)], lambda x: x.log_softmax(-1)),
    "logsumexp": ([rnd(3, 6, scale=10)], lambda x: x.logsumexp(1)),
    "logsumexp_keepdim": ([rnd(4, 3)], lambda x: torch.logsumexp(x, 0, keepdim=True)),
    "var_unbiased": ([rnd(4, 6)], lambda x: x.var(1)),
    "var_population_keepdim": ([rnd(4, 6)], lambda x: x.var(0, unbiased=False, keepdim=True)),
    "var_all": ([rnd(3, 5)], lambda x: x.var()),
    "std": ([rnd(5, 4)], lambda x: x.std(-1)),
    "amax_ties": ([ties(4, 5)], lambda x: x.amax(1)),
    "amin_ties_keepdim": ([ties(4, 5)], lambda x: x.amin(0, keepdim=True)),
    # joining, slicing, shape
    "cat0": ([rnd(2, 3), rnd(1, 3), rnd(3, 3)], lambda a, b, c: torch.cat([a, b, c], 0)),
    "cat_last": ([rnd(2, 2, 3), rnd(2, 2, 1)], lambda a, b: torch.cat([a, b], -1)),
    "cat_empty_piece": ([rnd(2, 3), rnd(0, 3)], lambda a, b: torch.cat([a, b], 0)),
    "cat_transposed": ([rnd(3, 2), rnd(3, 4)], lambda a, b: torch.cat([a.t(), b.t()], 0)),
    "stack1": ([rnd(2, 3), rnd(2, 3), rnd(2, 3)], lambda a, b, c: torch.stack([a, b, c], 1)),
    "narrow": ([rnd(4, 6)], lambda x: x.narrow(1, 2, 3)),
    "slice_step": ([rnd(7, 3)], lambda x: x[1:6:2]),
    "slice_negative": ([rnd(3, 8)], lambda x: x[:, -5:-1]),
    "select_negative": ([rnd(3, 4, 2)], lambda x: x.select(1, -1)),
    "chunk_recombined": ([rnd(2, 7)], lambda x: torch.cat(list(reversed(x.chunk(3, 1))), 1)),
    "split_sizes": ([rnd(6, 2)], lambda x: torch.cat([p * (i + 1) for i, p in enumerate(x.split([1, 3, 2], 0))], 0)),
    "unbind_weighted": ([rnd(3, 4)], lambda x: sum(p * (i + 1) for i, p in enumerate(x.unbind(0)))),
    "unflatten": ([rnd(2, 12)], lambda x: x.unflatten(1, (3, -1)) * torch.arange(4.0)),
    "movedim": ([rnd(2, 3, 4)], lambda x: x.movedim(0, -1) * torch.arange(2.0)),
    "repeat": ([rnd(2, 3)], lambda x: x.repeat(2, 1, 3)),
    "tile": ([rnd(2, 3)], lambda x: x.tile((2,))),
}


def main():
    out = {}
    for name, (inputs, fn) in CASES.items():
        xs = [t.clone().requires_grad_(True) for t in inputs]
        y = fn(*xs)
        gout = rnd(*y.shape, scale=1.0)
        y.backward(gout)
        for i, (t, x) in enumerate(zip(inputs, xs)):
            out[f"{name}.in{i}"] = t
            out[f"{name}.grad{i}"] = x.grad if x.grad is not None else torch.zeros_like(t)
        out[f"{name}.out"] = y.detach()
        out[f"{name}.gout"] = gout
    save_safetensors(sys.argv[1], out, {"torch": torch.__version__, "cases": str(len(CASES))})
    print(f"{len(CASES)} cases -> {sys.argv[1]}")


if __name__ == "__main__":
    main()
