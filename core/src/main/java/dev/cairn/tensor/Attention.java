package dev.cairn.tensor;

import dev.cairn.CairnException;
import dev.cairn.DType;
import dev.cairn.autograd.GradMode;
import java.util.Arrays;

/**
 * The fused attention primitive: {@code softmax(q k^T * scale + mask) v} over the last two dimensions as one
 * backend kernel ({@code Backend.attention}), which never writes the {@code [L, S]} scores or weights out. The
 * backward recomputes the weights with tensor ops (two products and a softmax) and gives PyTorch's gradients
 * for the query, key, value and mask. Stateless.
 */
final class Attention {
    private Attention() {
    }

    /**
     * {@code softmax((q * scale) @ k^T + mask, -1) @ v} for {@code q [..., L, D]}, {@code k [..., S, D]},
     * {@code v [..., S, Dv]} with one batch shape of rank 0 to 2 (more is flattened), and a float {@code mask}
     * broadcastable to {@code [..., L, S]} or null.
     */
    static Tensor scaledDotProduct(Tensor q, Tensor k, Tensor v, Tensor mask, float scale) {
        String op = "scaledDotProductAttention";
        Kernels.sameDevice(op, q, k);
        Kernels.sameDevice(op, q, v);
        if (mask != null) {
            Kernels.sameDevice(op, q, mask);
        }
        int[] qs = q.rawBody().shape;
        int[] ks = k.rawBody().shape;
        int[] vs = v.rawBody().shape;
        int r = qs.length;
        if (r < 2 || ks.length != r || vs.length != r
                || !Arrays.equals(Arrays.copyOf(qs, r - 2), Arrays.copyOf(ks, r - 2))
                || !Arrays.equals(Arrays.copyOf(qs, r - 2), Arrays.copyOf(vs, r - 2))
                || qs[r - 1] != ks[r - 1] || ks[r - 2] != vs[r - 2]) {
            throw new ShapeException(op + ": expected query [..., L, D], key [..., S, D] and value [..., S, Dv] with "
                    + "one batch shape, got query " + Shapes.format(qs) + ", key " + Shapes.format(ks) + ", value "
                    + Shapes.format(vs) + " (" + q.device() + ")");
        }
        for (Tensor t : mask == null ? new Tensor[] {q, k, v} : new Tensor[] {q, k, v, mask}) {
            if (t.rawBody().dtype != DType.FLOAT32) {
                throw new CairnException(op + ": expected float32 query, key, value and mask, got "
                        + t.rawBody().dtype + " of shape " + Shapes.format(t.rawBody().shape)
                        + (t == mask ? " for the mask (a bool mask becomes float with "
                        + "zeros.maskedFill(mask, Float.NEGATIVE_INFINITY))" : "") + "; convert it with to(DType.FLOAT32)");
            }
        }
        int l = qs[r - 2];
        int s = ks[r - 2];
        int[] scoreShape = Arrays.copyOf(qs, r);
        scoreShape[r - 1] = s;
        if (mask != null && !Arrays.equals(Shapes.broadcast(op, mask.rawBody().shape, scoreShape), scoreShape)) {
            throw new ShapeException(op + ": the mask must broadcast to the scores' shape " + Shapes.format(scoreShape)
                    + " ([..., L, S]), got " + Shapes.format(mask.rawBody().shape));
        }
        int[] outShape = Arrays.copyOf(qs, r);
        outShape[r - 1] = vs[r - 1];
        Tensor q4;
        Tensor k4;
        Tensor v4;
        Tensor m4;
        try (var g = GradMode.noGrad()) {
            q4 = rank4(q);
            k4 = rank4(k);
            v4 = rank4(v);
            m4 = mask == null ? null : r > 4 ? rank4(mask.expand(scoreShape)) : leadingOnes(mask);
        }
        int[] q4s = q4.rawBody().shape;
        TensorBody ob = q.rawBody().newDense(new int[] {q4s[0], q4s[1], l, vs[r - 1]});
        Kernels.attention(q4.body(), k4.body(), v4.body(), m4 == null ? null : m4.body(), scale, ob);
        Tensor out = new Tensor(ob);
        try (var g = GradMode.noGrad()) {
            out = out.reshape(outShape);
        }
        int[] maskShape = mask == null ? null : mask.rawBody().shape;
        Tensor[] saved = mask == null ? new Tensor[] {q, k, v} : new Tensor[] {q, k, v, mask};
        return Graph.record(out, "ScaledDotProductAttentionBackward", saved, g -> {
            Tensor qScaled = q.mul(scale);
            Tensor scores = qScaled.matmul(k.transpose(-2, -1));
            if (mask != null) {
                scores = scores.add(mask);
            }
            Tensor p = scores.softmax(-1);
            Tensor dp = g.matmul(v.transpose(-2, -1));
            Tensor ds = p.mul(dp.sub(dp.mul(p).sum(-1, true)));
            return new Tensor[] {
                q.requiresGrad() ? ds.matmul(k).mul(scale) : null,
                k.requiresGrad() ? ds.transpose(-2, -1).matmul(qScaled) : null,
                v.requiresGrad() ? p.transpose(-2, -1).matmul(g) : null,
                mask != null && mask.requiresGrad() ? Graph.sumTo(ds, maskShape) : null};
        }, q, k, v, mask);
    }

    /** {@code t} of rank 4 or less with leading dimensions of size 1 added up to rank 4 (the same broadcast). */
    private static Tensor leadingOnes(Tensor t) {
        int[] s = t.rawBody().shape;
        int[] four = {1, 1, 1, 1};
        System.arraycopy(s, 0, four, 4 - s.length, s.length);
        return t.reshape(four);
    }

    /** {@code t [..., X, Y]} as {@code [B, H, X, Y]}: leading 1s added, or the batch dimensions flattened. */
    private static Tensor rank4(Tensor t) {
        int[] s = t.rawBody().shape;
        return switch (s.length) {
            case 2 -> t.reshape(1, 1, s[0], s[1]);
            case 3 -> t.unsqueeze(0);
            case 4 -> t;
            default -> t.reshape(1, -1, s[s.length - 2], s[s.length - 1]);
        };
    }
}
