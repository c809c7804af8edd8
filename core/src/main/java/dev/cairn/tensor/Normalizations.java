package dev.cairn.tensor;

import dev.cairn.CairnException;
import dev.cairn.DType;

import dev.cairn.autograd.GradMode;
import java.util.Arrays;

/**
 * The fused normalisation primitives: softmax and log-softmax along one dimension, layer norm over the
 * trailing dimensions and batch norm over the channels. Each is one backend kernel forward
 * ({@code Backend.softmax}, {@code Backend.layerNorm}, {@code Backend.batchNorm}) and one backward
 * ({@code softmaxBackward}, {@code layerNormBackward}, {@code batchNormBackward}) with PyTorch's gradients,
 * instead of a chain of pointwise and reduction passes. Stateless; safe from any thread (batch norm in training
 * mode writes its running statistics in place, so two threads must not share those).
 */
final class Normalizations {
    private Normalizations() {
    }

    /**
     * Softmax ({@code log == false}) or log-softmax along {@code dim}. Integer and bool inputs compute in
     * float32. Strided inputs (an attention matrix from a batched matmul, a transposed view) are read in
     * place, never copied. The backward reads only the output.
     */
    static Tensor softmax(Tensor x, int dim, boolean log) {
        String op = log ? "logSoftmax" : "softmax";
        if (x.body().dtype != DType.FLOAT32) {
            return softmax(Creation.toDType(x, DType.FLOAT32), dim, log);
        }
        TensorBody b = x.body();
        int rank = b.shape.length;
        int d = Shapes.wrapDim(op, dim, Math.max(rank, 1));
        if (rank == 0) {
            return softmax(x.reshape(1), 0, log).reshape();
        }
        TensorBody ob = b.newDenseLike();
        Kernels.softmax(b, d, log, ob);
        Tensor out = new Tensor(ob);
        return Graph.record(out, log ? "LogSoftmaxBackward" : "SoftmaxBackward", new Tensor[] {out}, g -> {
            TensorBody yb = out.body();
            TensorBody gb = Kernels.operand(op + " backward", out, g);
            TensorBody dx = yb.newDenseLike();
            Kernels.softmaxBackward(yb, gb, d, log, dx);
            return new Tensor[] {new Tensor(dx)};
        }, x);
    }

    /**
     * Layer normalisation over the trailing {@code normalizedShape} dimensions, as {@code F.layer_norm}:
     * {@code (x - mean) / sqrt(var + eps) * weight + bias} with the biased variance; {@code weight} and
     * {@code bias} (each optional) have {@code normalizedShape}. The per-row mean and {@code 1/sqrt(var + eps)}
     * are saved for the backward pass, which gives PyTorch's gradients for the input, weight and bias.
     */
    static Tensor layerNorm(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias, float eps) {
        TensorBody b = x.body();
        int[] s = b.shape;
        int k = normalizedShape.length;
        if (k == 0 || s.length < k || !Arrays.equals(Arrays.copyOfRange(s, s.length - k, s.length), normalizedShape)) {
            throw new ShapeException("layerNorm: normalized shape " + Shapes.format(normalizedShape)
                    + " must be the trailing dimensions of the input, got input of shape " + Shapes.format(s)
                    + " (" + b.device + ")");
        }
        if (b.dtype != DType.FLOAT32) {
            throw new CairnException("layerNorm: expected a float32 input, got " + b.dtype + " of shape "
                    + Shapes.format(s) + "; convert it with to(DType.FLOAT32)");
        }
        checkAffine("weight", weight, x, normalizedShape);
        checkAffine("bias", bias, x, normalizedShape);
        int cols = Shapes.numel(normalizedShape);
        int rows = cols == 0 ? 0 : b.numel / cols;
        Tensor x2 = rows2d(x, rows, cols);
        Tensor w1 = weight == null ? null : line(weight, cols);
        Tensor b1 = bias == null ? null : line(bias, cols);
        TensorBody ob = b.newDense(s.clone());
        TensorBody mean = b.newDense(new int[] {rows});
        TensorBody rstd = b.newDense(new int[] {rows});
        Kernels.layerNorm(x2.body(), w1 == null ? null : w1.body(),
                b1 == null ? null : b1.body(), eps, ob, mean, rstd);
        Tensor out = new Tensor(ob);
        Tensor meanT = new Tensor(mean);
        Tensor rstdT = new Tensor(rstd);
        Tensor[] saved = weight == null ? new Tensor[] {x} : new Tensor[] {x, weight};
        return Graph.record(out, "NativeLayerNormBackward", saved, g -> {
            boolean wantX = x.requiresGrad();
            boolean wantW = weight != null && weight.requiresGrad();
            boolean wantB = bias != null && bias.requiresGrad();
            if (rows == 0) {
                return new Tensor[] {wantX ? Tensor.zeros(x.device(), s) : null,
                    wantW ? Tensor.zeros(x.device(), normalizedShape) : null,
                    wantB ? Tensor.zeros(x.device(), normalizedShape) : null};
            }
            Tensor g2 = rows2d(g, rows, cols);
            TensorBody dx = wantX ? b.newDense(s.clone()) : null;
            TensorBody dw = wantW ? b.newDense(normalizedShape.clone()) : null;
            TensorBody db = wantB ? b.newDense(normalizedShape.clone()) : null;
            Kernels.layerNormBackward(x2.body(), g2.body(), meanT.body(), rstdT.body(),
                    w1 == null ? null : w1.body(), dx, dw, db);
            return new Tensor[] {dx == null ? null : new Tensor(dx), dw == null ? null : new Tensor(dw),
                db == null ? null : new Tensor(db)};
        }, x, weight, bias);
    }

    /**
     * Batch normalisation over the channel dimension 1, as {@code F.batch_norm}; see {@link Tensor#batchNorm}.
     * The input is read as {@code [N, C, S]} ({@code S} the product of the spatial sizes: a view where the layout
     * allows, else a copy); the per-channel mean and invstd used are saved for the backward pass.
     */
    static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                            boolean training, float momentum, float eps) {
        TensorBody b = x.body();
        int[] s = b.shape;
        if (s.length < 2) {
            throw new ShapeException("batchNorm: expected an input of rank 2 or more ([N, C, ...], channels in "
                    + "dimension 1), got shape " + Shapes.format(s) + " (" + b.device + "); add a batch dimension "
                    + "with unsqueeze(0)");
        }
        if (b.dtype != DType.FLOAT32) {
            throw new CairnException("batchNorm: expected a float32 input, got " + b.dtype + " of shape "
                    + Shapes.format(s) + " (" + b.device + "); convert it with to(DType.FLOAT32)");
        }
        int n = s[0];
        int c = s[1];
        int spatial = Shapes.numel(Arrays.copyOfRange(s, 2, s.length));
        checkChannels("weight", weight, x, c);
        checkChannels("bias", bias, x, c);
        checkChannels("running_mean", runningMean, x, c);
        checkChannels("running_var", runningVar, x, c);
        if (!training && (runningMean == null || runningVar == null)) {
            throw new CairnException("batchNorm: running_mean and running_var must be given in evaluation mode "
                    + "(training = false), got " + (runningMean == null ? "no running_mean" : "no running_var")
                    + " for an input of shape " + Shapes.format(s) + "; pass training = true to normalise with the "
                    + "batch's statistics");
        }
        long perChannel = (long) n * spatial;
        if (training && perChannel == 1) {
            throw new ShapeException("batchNorm: expected more than 1 value per channel when training, got input of "
                    + "shape " + Shapes.format(s) + " (" + b.device + "); use a larger batch or evaluation mode");
        }
        Tensor x3 = view3(x, n, c, spatial);
        TensorBody ob = b.newDense(s.clone());
        TensorBody mean = b.newDense(new int[] {c});
        TensorBody invstd = b.newDense(new int[] {c});
        Kernels.batchNorm(x3.body(), body(weight), body(bias), body(runningMean), body(runningVar), training,
                momentum, eps, ob, mean, invstd);
        if (training && b.numel > 0) {
            bumpVersion(runningMean);
            bumpVersion(runningVar);
        }
        Tensor out = new Tensor(ob);
        Tensor meanT = new Tensor(mean);
        Tensor invstdT = new Tensor(invstd);
        Tensor[] saved = weight == null ? new Tensor[] {x} : new Tensor[] {x, weight};
        return Graph.record(out, "NativeBatchNormBackward", saved, g -> {
            boolean wantX = x.requiresGrad();
            boolean wantW = weight != null && weight.requiresGrad();
            boolean wantB = bias != null && bias.requiresGrad();
            if (b.numel == 0) {
                return new Tensor[] {wantX ? Tensor.zeros(x.device(), s) : null,
                    wantW ? Tensor.zeros(x.device(), c) : null, wantB ? Tensor.zeros(x.device(), c) : null};
            }
            Tensor g3 = view3(g, n, c, spatial);
            TensorBody dx = wantX ? b.newDense(s.clone()) : null;
            TensorBody dw = wantW ? b.newDense(new int[] {c}) : null;
            TensorBody db = wantB ? b.newDense(new int[] {c}) : null;
            Kernels.batchNormBackward(x3.body(), g3.body(), meanT.body(), invstdT.body(), body(weight), training,
                    dx, dw, db);
            return new Tensor[] {dx == null ? null : new Tensor(dx), dw == null ? null : new Tensor(dw),
                db == null ? null : new Tensor(db)};
        }, x, weight, bias);
    }

    private static TensorBody body(Tensor t) {
        return t == null ? null : t.body();
    }

    private static void bumpVersion(Tensor t) {
        if (t != null) {
            t.rawBody().shared.bumpVersion();
        }
    }

    /** Checks a per-channel operand of batch norm: absent, or float32 {@code [C]} on the input's device. */
    private static void checkChannels(String what, Tensor t, Tensor x, int channels) {
        if (t == null) {
            return;
        }
        Kernels.sameDevice("batchNorm", x, t);
        TensorBody tb = t.rawBody();
        if (tb.shape.length != 1 || tb.shape[0] != channels || tb.dtype != DType.FLOAT32) {
            throw new ShapeException("batchNorm: " + what + " must be a float32 tensor of shape [" + channels
                    + "] (the input's channels, dimension 1 of " + Shapes.format(x.rawBody().shape) + "), got "
                    + tb.dtype + " of shape " + Shapes.format(tb.shape));
        }
    }

    /** {@code t} as {@code [n, c, spatial]}: a view where the layout allows, else a copy (any strides are read). */
    private static Tensor view3(Tensor t, int n, int c, int spatial) {
        try (var g = GradMode.noGrad()) {
            return t.reshape(n, c, spatial);
        }
    }

    private static void checkAffine(String what, Tensor t, Tensor x, int[] normalizedShape) {
        if (t == null) {
            return;
        }
        Kernels.sameDevice("layerNorm", x, t);
        if (!Arrays.equals(t.rawBody().shape, normalizedShape) || t.rawBody().dtype != DType.FLOAT32) {
            throw new ShapeException("layerNorm: " + what + " must be a float32 tensor of the normalized shape "
                    + Shapes.format(normalizedShape) + ", got " + t.rawBody().dtype + " of shape "
                    + Shapes.format(t.rawBody().shape));
        }
    }

    /** {@code t} as a 1-D {@code [cols]} with unit stride: a view where the layout allows, else a copy. */
    private static Tensor line(Tensor t, int cols) {
        try (var g = GradMode.noGrad()) {
            Tensor r = t.reshape(cols);
            return cols > 1 && r.rawBody().strides[0] != 1 ? r.copy() : r;
        }
    }

    /** {@code t} as {@code [rows, cols]} with unit column stride: a view where the layout allows, else a copy. */
    private static Tensor rows2d(Tensor t, int rows, int cols) {
        try (var g = GradMode.noGrad()) {
            Tensor r = t.reshape(rows, cols);
            return cols > 1 && r.rawBody().strides[1] != 1 ? r.copy() : r;
        }
    }
}
