#!/usr/bin/env python3
"""Reference values for Cairn's tensor ops, made by PyTorch (Debian's python3-torch, 1.13).

For each case: the inputs (float32, seeded), the output of the op in PyTorch, a random upstream
gradient, and the gradient of every input. Written as one safetensors file whose keys are
`<case>.in<i>`, `<case>.out`, `<case>.gout`, `<case>.grad<i>`. The Java side
(`OpReferenceTest` in samples, where both backends are on the class path) has one lambda per case name that must mirror the lambda here.

    /usr/bin/python3 scripts/make_op_cases.py core/src/test/resources/ops/op_cases.safetensors
"""
import math, sys
import torch
sys.path.insert(0, __import__("os").path.dirname(__file__))

from make_cases import save_safetensors  # noqa: E402

F = torch.nn.functional
g = torch.Generator().manual_seed(20261201)


# inputs of the cases added later come from their own generator, so that every earlier case's inputs and
# upstream gradients stay bit-identical
g_fused = torch.Generator().manual_seed(20261218)


def rnd(*shape, scale=2.0, gen=None):
    return (torch.rand(tuple(shape), generator=gen or g) * 2 - 1) * scale


# the convolution and pooling cases draw from their own generator too
g_late = torch.Generator().manual_seed(20261202)


# tensors some cases use besides their inputs (fixed weights; module states): saved as extra.<name>
EXTRA = {"conv_same_weight": rnd(4, 3, 4, 3)}


def special(*shape, gen=None):
    """Random values with NaN, +inf and -inf planted in the first row."""
    x = rnd(*shape, scale=4.0, gen=gen)
    flat = x.view(-1)
    flat[0], flat[1], flat[2] = float("nan"), float("inf"), float("-inf")
    return x


def planted_mask(m, positions):
    """A float attention mask with -inf planted at the given index tuples."""
    for p in positions:
        m[p] = float("-inf")
    return m


def ties(*shape, gen=None):
    """Small integers, so that maxima repeat within rows."""
    return torch.randint(-2, 3, shape, generator=gen or g).float()


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
    "norm_all": ([rnd(3, 4)], lambda x: torch.linalg.vector_norm(x)),
    "norm_dim_zero_row": ([torch.cat([torch.zeros(1, 4), rnd(2, 4)])], lambda x: torch.linalg.vector_norm(x, 2, 1)),
    "norm_p3_keepdim": ([rnd(3, 4)], lambda x: torch.linalg.vector_norm(x, 3, 0, keepdim=True)),
    "norm_inf": ([rnd(3, 5)], lambda x: torch.linalg.vector_norm(x, float("inf"), 1)),
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
    "flip": ([rnd(2, 3, 4)], lambda x: x.flip([0, 2])),
    "roll": ([rnd(3, 5)], lambda x: x.roll(-2, 1)),
    "roll_flat": ([rnd(2, 3)], lambda x: x.roll(4)),
    "triu": ([special(3, 4)], lambda x: x.triu(1)),
    "tril_batched": ([rnd(2, 3, 3)], lambda x: x.tril(-1)),
    "cumsum": ([rnd(3, 6)], lambda x: x.cumsum(1)),
    "cumsum_dim0": ([rnd(4, 2)], lambda x: x.cumsum(0)),
    # indexing with int64 indices and bool masks (gradients to the float inputs)
    "index_select_rows": ([rnd(5, 3), torch.tensor([4, 0, 4, 2])], lambda x, i: x.index_select(0, i)),
    "index_select_dim1": ([rnd(2, 4), torch.tensor([3, 1])], lambda x, i: x.index_select(1, i)),
    "embedding_lookup": ([rnd(6, 3), torch.tensor([[1, 5, 1], [0, 2, 2]])],
                         lambda w, ids: F.embedding(ids, w)),
    "gather_dim1": ([rnd(3, 4), torch.tensor([[0, 3], [2, 2], [1, 0]])], lambda x, i: x.gather(1, i)),
    "gather_dim0": ([rnd(3, 2), torch.tensor([[2, 0], [1, 1]])], lambda x, i: x.gather(0, i)),
    "scatter_add": ([rnd(3, 5), torch.tensor([[0, 4], [1, 1], [3, 2]]), rnd(3, 2)],
                    lambda x, i, s: x.scatter_add(1, i, s)),
    "where_broadcast": ([torch.tensor([[True, False, True], [False, False, True]]), rnd(2, 3), rnd(1, 3)],
                        lambda c, a, b: torch.where(c, a, b)),
    "masked_fill": ([rnd(2, 4), torch.tensor([[False, True, True, False]])], lambda x, m: x.masked_fill(m, -1.5)),
    "mul_by_bool_mask": ([rnd(2, 3), torch.tensor([[True, False, True]])], lambda x, m: x * m),
    "float_plus_int": ([rnd(2, 3), torch.tensor([1, -2, 3])], lambda x, i: x + i),
    # cross-entropy with int64 targets, ignore_index, label smoothing and class probabilities
    "cross_entropy_int64": ([rnd(5, 4, scale=3), torch.tensor([0, 3, 1, 1, 2])], lambda x, t: F.cross_entropy(x, t)),
    "cross_entropy_ignore_index": ([rnd(5, 4, scale=3), torch.tensor([0, -100, 1, 3, -100])],
                                   lambda x, t: F.cross_entropy(x, t, ignore_index=-100)),
    "cross_entropy_label_smoothing": ([rnd(4, 6, scale=3), torch.tensor([5, 0, 2, 2])],
                                      lambda x, t: F.cross_entropy(x, t, ignore_index=2, label_smoothing=0.1)),
    "cross_entropy_probs": ([rnd(3, 4, scale=3), torch.rand(3, 4, generator=g).softmax(1)],
                            lambda x, p: F.cross_entropy(x, p, label_smoothing=0.2)),
    # layers: functional forms with the weights as inputs, and stateful modules after a train-mode step
    "conv2d_dilation_groups": ([rnd(2, 4, 7, 6), rnd(6, 2, 3, 2), rnd(6)],
                               lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=(2, 1), dilation=(2, 1), groups=2)),
    "conv2d_same": ([rnd(1, 3, 5, 5)], lambda x: F.conv2d(x, EXTRA["conv_same_weight"], padding="same")),
    "conv1d": ([rnd(2, 3, 9), rnd(5, 3, 3), rnd(5)], lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1)),
    "max_pool_ceil_padding": ([rnd(1, 2, 7, 6)], lambda x: F.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True)),
    "avg_pool_padding": ([rnd(2, 2, 6, 5)], lambda x: F.avg_pool2d(x, 3, stride=2, padding=1)),
    "adaptive_avg_pool": ([rnd(1, 3, 7, 5)], lambda x: F.adaptive_avg_pool2d(x, (3, 2))),
    "layer_norm_2d_shape": ([rnd(3, 4, 5), rnd(4, 5), rnd(4, 5)],
                            lambda x, w, b: F.layer_norm(x, (4, 5), w, b, eps=1e-5)),
    "embedding_padding_idx": ([rnd(6, 3), torch.tensor([[1, 0, 4], [0, 0, 2]])],
                              lambda w, ids: F.embedding(ids, w, padding_idx=0)),
    "batch_norm1d_train_step": ([rnd(6, 3, scale=3)], lambda x: bn_step(torch.nn.BatchNorm1d(3), x)),
    "batch_norm2d_train_step": ([rnd(4, 2, 3, 3, scale=3)], lambda x: bn_step(torch.nn.BatchNorm2d(2, momentum=0.3), x)),
    "mha_masks_and_weights": ([rnd(2, 5, 8), torch.tensor([[False, False, False, True, True], [False] * 5])],
                              lambda q, pad: mha_case(q, pad)),
    # integer and bool results (no gradient): dtype and values must match exactly
    "gt_bool": ([rnd(2, 3), rnd(1, 3)], lambda a, b: a > b),
    "eq_scalar": ([ties(3, 3)], lambda x: x == 1),
    "argmax_dim": ([ties(3, 4)], lambda x: x.argmax(1)),
    "argmin_all": ([rnd(3, 4)], lambda x: x.argmin()),
    "int_add_mul": ([torch.tensor([3, -4, 5]), torch.tensor([[2], [-1]])], lambda a, b: a * b + a),
    "int_neg_abs": ([torch.tensor([3, -4, 0])], lambda a: -a.abs()),
    "bool_sum": ([torch.tensor([[True, False, True], [True, True, True]])], lambda m: m.sum(1)),
    "int_sum_all": ([torch.tensor([[1 << 40, 2], [3, -4]])], lambda a: a.sum()),
    "int_max_dim": ([torch.tensor([[1, 9, 3], [7, -2, 7]])], lambda a: a.max(1).values),
    "logical_ops": ([torch.tensor([True, False, True, False]), torch.tensor([True, True, False, False])],
                    lambda a, b: torch.stack([a & b, a | b, a ^ b, ~a])),
    "isnan_isinf": ([special(2, 3)], lambda x: torch.stack([x.isnan(), x.isinf()])),
    "all_any": ([torch.tensor([[True, True], [False, True]])], lambda m: torch.stack([m.all(1), m.any(0)])),
    "to_int64_truncates": ([torch.tensor([-2.7, -0.5, 0.5, 2.9, 7.0])], lambda x: x.to(torch.int64)),
    "int_true_divide": ([torch.tensor([7, -7, 1]), torch.tensor([2, 2, 3])], lambda a, b: a / b),
    # fused primitives (issue 18), appended so that the seeded inputs of the cases above stay identical
    "softmax_special": ([special(3, 5, gen=g_fused)], lambda x: x.softmax(-1)),
    "softmax_all_masked_row": ([rnd(3, 4, gen=g_fused)], lambda x: x.masked_fill(torch.tensor([[False, True, False, True],
                                                                                  [True, True, True, True],
                                                                                  [False] * 4]),
                                                                    float("-inf")).softmax(-1)),
    "log_softmax_masked": ([rnd(2, 5, gen=g_fused)], lambda x: x.masked_fill(torch.tensor([[False, True, False, False, True],
                                                                              [True] + [False] * 4]),
                                                                float("-inf")).log_softmax(-1)),
    "log_softmax_special": ([special(2, 6, gen=g_fused)], lambda x: x.log_softmax(1)),
    "softmax_neg_dim_middle": ([rnd(2, 3, 4, scale=4, gen=g_fused)], lambda x: x.softmax(-2)),
    "softmax_long_rows": ([rnd(3, 50, scale=6, gen=g_fused)], lambda x: x.softmax(-1)),
    "log_softmax_long_rows_dim0": ([rnd(37, 3, scale=6, gen=g_fused)], lambda x: x.log_softmax(0)),
    "softmax_attention_scores": ([rnd(2, 5, 8, gen=g_fused), rnd(2, 7, 8, gen=g_fused)],
                                 lambda q, k: (q @ k.transpose(1, 2) / math.sqrt(8)).softmax(-1)),
    "softmax_empty": ([rnd(0, 4, gen=g_fused)], lambda x: x.softmax(-1)),
    "gelu_special": ([special(2, 4, gen=g_fused)], lambda x: F.gelu(x)),
    "gelu_tanh_special": ([special(2, 4, gen=g_fused)], lambda x: F.gelu(x, approximate="tanh")),
    "gelu_tails": ([torch.linspace(-12, 12, 49)], lambda x: F.gelu(x)),
    "gelu_tanh_tails": ([torch.linspace(-12, 12, 49)], lambda x: F.gelu(x, approximate="tanh")),
    "gelu_wide_transposed": ([rnd(40, 3, scale=5, gen=g_fused)], lambda x: F.gelu(x.t())),
    "layer_norm_wide_offset": ([rnd(4, 40, gen=g_fused) + 100, rnd(40, gen=g_fused), rnd(40, gen=g_fused)],
                               lambda x, w, b: F.layer_norm(x, (40,), w, b, eps=1e-5)),
    "layer_norm_no_affine": ([rnd(3, 7, scale=3, gen=g_fused)], lambda x: F.layer_norm(x, (7,))),
    "layer_norm_transposed": ([rnd(5, 2, 3, gen=g_fused), rnd(3, 2, gen=g_fused), rnd(3, 2, gen=g_fused)],
                              lambda x, w, b: F.layer_norm(x.transpose(1, 2), (3, 2), w, b, eps=1e-3)),
    "layer_norm_special": ([special(3, 6, gen=g_fused), rnd(6, gen=g_fused), rnd(6, gen=g_fused)], lambda x, w, b: F.layer_norm(x, (6,), w, b)),
    "layer_norm_empty": ([rnd(0, 5, gen=g_fused), rnd(5, gen=g_fused), rnd(5, gen=g_fused)], lambda x, w, b: F.layer_norm(x, (5,), w, b)),
    "prod_all": ([rnd(2, 3, gen=g_fused)], lambda x: x.prod()),
    "prod_dim": ([rnd(3, 4, gen=g_fused)], lambda x: x.prod(1)),
    "prod_neg_dim_keepdim": ([rnd(2, 3, 4, gen=g_fused)], lambda x: x.prod(-2, keepdim=True)),
    "prod_transposed": ([rnd(3, 4, gen=g_fused)], lambda x: x.t().prod(0)),
    "prod_dim_zeros": ([torch.tensor([[1.5, 0.0, -2.0, 0.5], [0.0, 3.0, 0.0, 1.25], [0.5, -1.5, 2.0, 0.75]])],
                       lambda x: x.prod(1)),
    "prod_all_one_zero": ([torch.tensor([[1.5, -2.0, 0.5], [0.75, 0.0, 3.0]])], lambda x: x.prod()),
    "prod_all_two_zeros": ([torch.tensor([[1.5, 0.0, 0.5], [0.75, 0.0, 3.0]])], lambda x: x.prod()),
    "prod_empty": ([rnd(0, 3, gen=g_fused)], lambda x: x.prod(0)),
    "prod_int": ([torch.tensor([[2, -3, 4], [5, 6, -7]])], lambda a: a.prod(1)),
    "prod_bool_all": ([torch.tensor([[True, True], [True, False]])], lambda m: m.prod()),
    "cumsum_neg_dim": ([rnd(2, 3, 4, gen=g_fused)], lambda x: x.cumsum(-1)),
    "cumsum_transposed": ([rnd(3, 5, gen=g_fused)], lambda x: x.t().cumsum(1)),
    "cumsum_special": ([special(2, 5, gen=g_fused)], lambda x: x.cumsum(1)),
    "cumsum_long": ([rnd(2, 300, gen=g_fused)], lambda x: x.cumsum(1)),
    "cumsum_empty": ([rnd(0, 3, gen=g_fused)], lambda x: x.cumsum(0)),
    "cumsum_int64": ([torch.tensor([[1 << 40, 2, -3], [4, 5, 6]])], lambda a: a.cumsum(1)),
    "cumsum_int32": ([torch.tensor([[1, -2], [3, 4], [5, 6]], dtype=torch.int32)], lambda a: a.cumsum(0)),
    "cumsum_bool": ([torch.tensor([True, False, True, True])], lambda m: m.cumsum(0)),
    # fused scaled dot-product attention (Tensor.scaledDotProductAttention), appended likewise
    "sdpa_float_mask": ([rnd(2, 3, 5, 8, gen=g_fused), rnd(2, 3, 7, 8, gen=g_fused), rnd(2, 3, 7, 6, gen=g_fused),
                         planted_mask(rnd(2, 1, 5, 7, gen=g_fused), [(0, 0, 1, 2), (1, 0, 4, 6), (1, 0, 0, 0)])],
                        lambda q, k, v, m: sdpa(q, k, v, m, 1 / math.sqrt(8))),
    "sdpa_all_masked_row_3d": ([rnd(3, 4, 5, gen=g_fused), rnd(3, 6, 5, gen=g_fused), rnd(3, 6, 5, gen=g_fused),
                                planted_mask(rnd(4, 6, gen=g_fused), [(2, j) for j in range(6)])],
                               lambda q, k, v, m: sdpa(q, k, v, m, 0.5)),
    "sdpa_long_transposed": ([rnd(2, 20, 33, gen=g_fused), rnd(2, 37, 20, gen=g_fused), rnd(2, 37, 24, gen=g_fused)],
                             lambda q, k, v: sdpa(q.transpose(1, 2), k, v, None, 0.3)),
    "sdpa_2d_row_mask": ([rnd(5, 8, gen=g_fused), rnd(17, 8, gen=g_fused), rnd(17, 3, gen=g_fused),
                          planted_mask(rnd(17, gen=g_fused), [(3,), (16,)])],
                         lambda q, k, v, m: sdpa(q, k, v, m, 0.25)),
    "mha_fused_masks": ([rnd(2, 5, 8, gen=g_fused), torch.tensor([[False, False, False, True, True], [False] * 5])],
                        lambda q, pad: mha_case(q, pad, need_weights=False)),
    # fused batch norm (F.batch_norm): forward and gradients in training and evaluation mode, with and without
    # affine and running statistics, rank 2 to 5, strided inputs; the running statistics after the call
    # follow the output (the lambdas update copies of them, as the running buffers are not inputs of the graph)
    "batch_norm_train_rank2": ([rnd(6, 5, scale=3, gen=g_fused), rnd(5, gen=g_fused), rnd(5, gen=g_fused),
                                rnd(5, gen=g_fused), rnd(5, gen=g_fused).abs() + 0.5],
                               lambda x, w, b, rm, rv: bn_fn(x, w, b, rm, rv, True, 0.2, 1e-5)),
    "batch_norm_train_rank2_wide": ([rnd(10, 37, gen=g_fused), rnd(37, gen=g_fused), rnd(37, gen=g_fused),
                                     rnd(37, gen=g_fused), rnd(37, gen=g_fused).abs() + 0.5],
                                    lambda x, w, b, rm, rv: bn_fn(x, w, b, rm, rv, True, 0.1, 1e-5)),
    "batch_norm_train_rank3_no_affine": ([rnd(4, 3, 7, gen=g_fused), rnd(3, gen=g_fused),
                                          rnd(3, gen=g_fused).abs() + 0.5],
                                         lambda x, rm, rv: bn_fn(x, None, None, rm, rv, True, 0.1, 1e-5)),
    "batch_norm_train_rank4_offset": ([rnd(3, 4, 5, 7, gen=g_fused) + 10, rnd(4, gen=g_fused), rnd(4, gen=g_fused),
                                       rnd(4, gen=g_fused), rnd(4, gen=g_fused).abs() + 0.5],
                                      lambda x, w, b, rm, rv: bn_fn(x, w, b, rm, rv, True, 0.3, 1e-3)),
    "batch_norm_train_rank5": ([rnd(2, 3, 2, 3, 4, gen=g_fused), rnd(3, gen=g_fused), rnd(3, gen=g_fused)],
                               lambda x, w, b: bn_fn(x, w, b, None, None, True, 0.1, 1e-5)),
    "batch_norm_train_no_running": ([rnd(4, 3, 5, gen=g_fused), rnd(3, gen=g_fused), rnd(3, gen=g_fused)],
                                    lambda x, w, b: bn_fn(x, w, b, None, None, True, 0.1, 1e-5)),
    "batch_norm_train_weight_only": ([rnd(5, 2, 4, 4, gen=g_fused), rnd(2, gen=g_fused)],
                                     lambda x, w: bn_fn(x, w, None, None, None, True, 0.1, 1e-5)),
    "batch_norm_train_channels_last": ([rnd(2, 5, 6, 3, gen=g_fused), rnd(3, gen=g_fused), rnd(3, gen=g_fused),
                                        rnd(3, gen=g_fused), rnd(3, gen=g_fused).abs() + 0.5],
                                       lambda x, w, b, rm, rv: bn_fn(x.permute(0, 3, 1, 2), w, b, rm, rv, True, 0.1, 1e-5)),
    "batch_norm_train_transposed": ([rnd(4, 9, gen=g_fused), rnd(4, gen=g_fused), rnd(4, gen=g_fused),
                                     rnd(4, gen=g_fused), rnd(4, gen=g_fused).abs() + 0.5],
                                    lambda x, w, b, rm, rv: bn_fn(x.t(), w, b, rm, rv, True, 0.1, 1e-5)),
    "batch_norm_train_sliced": ([rnd(4, 6, 5, 5, gen=g_fused), rnd(3, gen=g_fused), rnd(3, gen=g_fused)],
                                lambda x, w, b: bn_fn(x[:, ::2, 1:, :], w, b, None, None, True, 0.1, 1e-5)),
    "batch_norm_eval_rank4": ([rnd(2, 3, 4, 5, gen=g_fused), rnd(3, gen=g_fused), rnd(3, gen=g_fused),
                               rnd(3, gen=g_fused), rnd(3, gen=g_fused).abs() + 0.5],
                              lambda x, w, b, rm, rv: bn_fn(x, w, b, rm, rv, False, 0.1, 1e-5)),
    "batch_norm_eval_rank2_wide_no_affine": ([rnd(5, 20, gen=g_fused), rnd(20, gen=g_fused),
                                              rnd(20, gen=g_fused).abs() + 0.5],
                                             lambda x, rm, rv: bn_fn(x, None, None, rm, rv, False, 0.1, 1e-5)),
    "batch_norm_eval_rank3_sliced": ([rnd(3, 4, 20, gen=g_fused), rnd(4, gen=g_fused), rnd(4, gen=g_fused),
                                      rnd(4, gen=g_fused), rnd(4, gen=g_fused).abs() + 0.5],
                                     lambda x, w, b, rm, rv: bn_fn(x[:, :, 1:19], w, b, rm, rv, False, 0.1, 1e-3)),
    "batch_norm_empty": ([rnd(0, 3, 4, gen=g_fused), rnd(3, gen=g_fused), rnd(3, gen=g_fused)],
                         lambda x, w, b: bn_fn(x, w, b, None, None, True, 0.1, 1e-5)),
}

# sliding windows: im2col and col2im with stride, padding, dilation and odd sizes; pooling and grouped
# convolutions on them (inputs and upstream gradients from g_late)
LATE_CASES = {
    "unfold_stride_pad_dilation": ([rnd(2, 3, 7, 6, gen=g_late)],
                                   lambda x: F.unfold(x, (3, 2), dilation=(2, 1), padding=(1, 2), stride=(2, 3))),
    "unfold_odd": ([rnd(1, 2, 5, 9, gen=g_late)], lambda x: F.unfold(x, (2, 3), padding=(0, 1), stride=(1, 2))),
    "fold_stride_pad_dilation": ([rnd(2, 12, 9, gen=g_late)],
                                 lambda x: F.fold(x, (7, 6), (3, 2), dilation=(2, 1), padding=(1, 2), stride=(2, 3))),
    "fold_overlap": ([rnd(1, 9, 20, gen=g_late)], lambda x: F.fold(x, (5, 4), 3, padding=1)),
    "max_pool_dilation": ([rnd(2, 3, 9, 7, gen=g_late)],
                          lambda x: F.max_pool2d(x, (3, 2), stride=(2, 1), padding=(1, 0), dilation=(2, 1))),
    "max_pool_ties_overlap": ([ties(1, 2, 6, 6, gen=g_late)], lambda x: F.max_pool2d(x, 2, stride=1)),
    "conv2d_depthwise_stride": ([rnd(2, 3, 9, 8, gen=g_late), rnd(6, 1, 3, 2, gen=g_late), rnd(6, gen=g_late)],
                                lambda x, w, b: F.conv2d(x, w, b, stride=(2, 3), padding=(1, 2), groups=3)),
    "conv2d_1x1_no_bias": ([rnd(2, 4, 5, 3, gen=g_late), rnd(3, 4, 1, 1, gen=g_late)],
                           lambda x, w: F.conv2d(x, w)),
}


def bn_fn(x, w, b, rm, rv, training, momentum, eps):
    """F.batch_norm on copies of the running statistics: the output, then those statistics after the call."""
    rm2 = None if rm is None else rm.detach().clone()
    rv2 = None if rv is None else rv.detach().clone()
    y = F.batch_norm(x, rm2, rv2, w, b, training=training, momentum=momentum, eps=eps)
    return torch.cat([y.flatten()] + [t for t in (rm2, rv2) if t is not None])


def bn_step(bn, x):
    """A train-mode step: the output, then the running statistics it left behind (PyTorch's update rule)."""
    bn.train()
    y = bn(x)
    return torch.cat([y.flatten(), bn.running_mean, bn.running_var, bn.num_batches_tracked.view(1).float()])


def sdpa(q, k, v, mask, scale):
    """softmax((q * scale) @ k^T + mask) @ v, as nn.MultiheadAttention computes each head (PyTorch 1.13)."""
    s = (q * scale) @ k.transpose(-2, -1)
    return (s if mask is None else s + mask).softmax(-1) @ v


def mha_case(q, pad, need_weights=True):
    """Self-attention with a key-padding mask and a causal float mask; the output and the head-averaged weights
    (without need_weights the output only, the path of Cairn's fused attention)."""
    torch.manual_seed(5)
    mha = torch.nn.MultiheadAttention(8, 2, batch_first=True)
    with torch.no_grad():
        mha.in_proj_bias.copy_(torch.linspace(-0.5, 0.5, 24))
        mha.out_proj.bias.copy_(torch.linspace(0.2, -0.2, 8))
    causal = torch.triu(torch.full((5, 5), float("-inf")), 1)
    out, w = mha(q, q, q, key_padding_mask=pad, attn_mask=causal, need_weights=need_weights)
    state = {"mha." + k: v.detach().clone() for k, v in mha.state_dict().items()}
    for k, v in state.items():
        assert k not in EXTRA or torch.equal(EXTRA[k], v), k  # one module state for both cases
    EXTRA.update(state)
    return torch.cat([out.flatten(), w.flatten()]) if need_weights else out




def main():
    out = {}
    for name, (inputs, fn) in list(CASES.items()) + list(LATE_CASES.items()):
        xs = [t.clone().requires_grad_(True) if t.is_floating_point() else t.clone() for t in inputs]
        y = fn(*xs)
        out[f"{name}.out"] = y.detach()
        for i, t in enumerate(inputs):
            out[f"{name}.in{i}"] = t
        if not y.requires_grad:
            continue  # an integer or bool result: no gradient to check
        gout = rnd(*y.shape, scale=1.0, gen=g_late if name in LATE_CASES else g)
        y.backward(gout)
        out[f"{name}.gout"] = gout
        for i, (t, x) in enumerate(zip(inputs, xs)):
            if t.is_floating_point():
                out[f"{name}.grad{i}"] = x.grad if x.grad is not None else torch.zeros_like(t)
    for k, v in EXTRA.items():
        out[f"extra.{k}"] = v
    save_safetensors(sys.argv[1], out, {"torch": torch.__version__, "cases": str(len(CASES) + len(LATE_CASES))}, keep_dtypes=True)
    print(f"{len(CASES) + len(LATE_CASES)} cases -> {sys.argv[1]}")


if __name__ == "__main__":
    main()
