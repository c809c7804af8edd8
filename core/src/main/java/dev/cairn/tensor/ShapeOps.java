package dev.cairn.tensor;

/**
 * Shape and view primitives: new layouts over the same memory (reshape, view, permute, expand,
 * squeeze, narrow, ...), each with its gradient. Joins (cat, stack) copy into a new tensor.
 */
final class ShapeOps {
    private ShapeOps() {
    }

    /** {@code requested} with a -1 resolved against {@code b}'s element count. */
    static int[] inferShape(String op, TensorBody b, int[] requested) {
        int[] s = requested.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) {
                    throw new ShapeException(op + ": only one dimension can be -1 in " + Shapes.format(requested));
                }
                infer = i;
            } else if (s[i] < 0) {
                throw new ShapeException(op + ": invalid size " + s[i] + " in " + Shapes.format(requested));
            } else {
                known *= s[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || b.numel % known != 0) {
                throw new ShapeException(op + ": shape " + Shapes.format(requested) + " is invalid for input of shape "
                        + Shapes.format(b.shape) + " (" + b.numel + " elements)");
            }
            s[infer] = (int) (b.numel / known);
        } else if (known != b.numel) {
            throw new ShapeException(op + ": shape " + Shapes.format(requested) + " is invalid for input of shape "
                    + Shapes.format(b.shape) + " (" + b.numel + " elements)");
        }
        return s;
    }

    static Tensor reshape(Tensor x, int[] newShape) {
        TensorBody b = x.body();
        int[] s = inferShape("reshape", b, newShape);
        return b.contiguous ? contiguousView(x, b, s) : x.contiguous().view(s);
    }

    static Tensor view(Tensor x, int[] newShape) {
        TensorBody b = x.body();
        int[] s = inferShape("view", b, newShape);
        if (!b.contiguous) {
            throw new ShapeException("view: cannot view a non-contiguous tensor of shape " + Shapes.format(b.shape)
                    + " and strides " + Shapes.format(b.strides) + " as " + Shapes.format(s) + "; use reshape()");
        }
        return contiguousView(x, b, s);
    }

    private static Tensor contiguousView(Tensor x, TensorBody b, int[] s) {
        int[] original = b.shape;
        Tensor out = new Tensor(b.view(b.offset, s, Shapes.contiguousStrides(s)));
        return Graph.record(out, "ViewBackward", g -> new Tensor[] {g.reshape(original)}, x);
    }

    static Tensor transpose(Tensor x, int dim0, int dim1) {
        int r = x.body().shape.length;
        if (r == 0) {
            return x;
        }
        int[] perm = new int[r];
        for (int i = 0; i < r; i++) {
            perm[i] = i;
        }
        int a = Shapes.wrapDim("transpose", dim0, r);
        int b = Shapes.wrapDim("transpose", dim1, r);
        perm[a] = b;
        perm[b] = a;
        return permute(x, perm);
    }

    static Tensor permute(Tensor x, int[] dims) {
        TensorBody b = x.body();
        int r = b.shape.length;
        if (dims.length != r) {
            throw new ShapeException("permute: " + Shapes.format(dims) + " has " + dims.length
                    + " dimensions but the tensor of shape " + Shapes.format(b.shape) + " has " + r);
        }
        int[] s = new int[r];
        int[] st = new int[r];
        int[] inverse = new int[r];
        boolean[] seen = new boolean[r];
        for (int i = 0; i < r; i++) {
            int d = Shapes.wrapDim("permute", dims[i], r);
            if (seen[d]) {
                throw new ShapeException("permute: dimension " + d + " repeats in " + Shapes.format(dims));
            }
            seen[d] = true;
            s[i] = b.shape[d];
            st[i] = b.strides[d];
            inverse[d] = i;
        }
        Tensor out = new Tensor(b.view(b.offset, s, st));
        return Graph.record(out, "PermuteBackward", g -> new Tensor[] {g.permute(inverse)}, x);
    }

    static Tensor expand(Tensor x, int[] newShape) {
        TensorBody b = x.body();
        int r = newShape.length;
        if (r < b.shape.length) {
            throw new ShapeException("expand: the target " + Shapes.format(newShape) + " has fewer dimensions than "
                    + Shapes.format(b.shape));
        }
        int[] s = new int[r];
        int[] st = new int[r];
        int lead = r - b.shape.length;
        for (int i = 0; i < r; i++) {
            int want = newShape[i];
            if (i < lead) {
                if (want < 0) {
                    throw new ShapeException("expand: -1 is not allowed for a new leading dimension in "
                            + Shapes.format(newShape));
                }
                s[i] = want;
                st[i] = 0;
                continue;
            }
            int have = b.shape[i - lead];
            if (want == -1 || want == have) {
                s[i] = have;
                st[i] = b.strides[i - lead];
            } else if (have == 1 && want >= 0) {
                s[i] = want;
                st[i] = 0;
            } else {
                throw new ShapeException("expand: cannot expand shape " + Shapes.format(b.shape) + " to "
                        + Shapes.format(newShape) + " (dimension " + i + ": " + have + " vs " + want + ")");
            }
        }
        int[] original = b.shape;
        Tensor out = new Tensor(b.view(b.offset, s, st));
        return Graph.record(out, "ExpandBackward", g -> new Tensor[] {Graph.sumTo(g, original)}, x);
    }

    static Tensor squeeze(Tensor x) {
        TensorBody b = x.body();
        int count = 0;
        for (int d : b.shape) {
            if (d != 1) {
                count++;
            }
        }
        int[] s = new int[count];
        int[] st = new int[count];
        for (int i = 0, j = 0; i < b.shape.length; i++) {
            if (b.shape[i] != 1) {
                s[j] = b.shape[i];
                st[j++] = b.strides[i];
            }
        }
        return restrided(x, b, "SqueezeBackward", s, st);
    }

    static Tensor squeeze(Tensor x, int dim) {
        TensorBody b = x.body();
        if (b.shape.length == 0) {
            Shapes.wrapDim("squeeze", dim, 0);
            return x;
        }
        int d = Shapes.wrapDim("squeeze", dim, b.shape.length);
        if (b.shape[d] != 1) {
            return x;
        }
        int[] s = new int[b.shape.length - 1];
        int[] st = new int[b.shape.length - 1];
        for (int i = 0, j = 0; i < b.shape.length; i++) {
            if (i != d) {
                s[j] = b.shape[i];
                st[j++] = b.strides[i];
            }
        }
        return restrided(x, b, "SqueezeBackward", s, st);
    }

    static Tensor unsqueeze(Tensor x, int dim) {
        TensorBody b = x.body();
        int r = b.shape.length + 1;
        if (dim < -r || dim >= r) {
            throw new ShapeException("unsqueeze: dimension " + dim + " out of range for a tensor of shape "
                    + Shapes.format(b.shape) + " (expected in [" + (-r) + ", " + (r - 1) + "])");
        }
        int d = dim < 0 ? dim + r : dim;
        int[] s = new int[r];
        int[] st = new int[r];
        for (int i = 0, j = 0; i < r; i++) {
            if (i == d) {
                s[i] = 1;
                st[i] = j < b.shape.length ? b.strides[j] * b.shape[j] : 1;
            } else {
                s[i] = b.shape[j];
                st[i] = b.strides[j++];
            }
        }
        return restrided(x, b, "UnsqueezeBackward", s, st);
    }

    private static Tensor restrided(Tensor x, TensorBody b, String name, int[] s, int[] st) {
        int[] original = b.shape;
        Tensor out = new Tensor(b.view(b.offset, s, st));
        return Graph.record(out, name, g -> new Tensor[] {g.reshape(original)}, x);
    }

    // ---- slicing views ----------------------------------------------------------------------------------------

    /**
     * The view of elements {@code start, start+step, ...} ({@code length} of them) along dimension {@code d},
     * with that dimension dropped when {@code drop} (select). Its gradient writes the output's gradient into
     * the same positions of a zero tensor of the input's shape.
     */
    static Tensor sliceView(Tensor x, String name, int d, int start, int length, int step, boolean drop) {
        TensorBody b = x.body();
        int[] shape = b.shape;
        Tensor out = new Tensor(sliced(b, b.offset, b.strides, d, start, length, step, drop));
        return Graph.record(out, name, g -> {
            TensorBody gb = g.body();
            TensorBody full = gb.newDense(shape.clone());
            Kernels.fill(full, 0f);
            copyInto(gb, sliced(full, 0, full.strides, d, start, length, step, drop));
            return new Tensor[] {new Tensor(full)};
        }, x);
    }

    /**
     * Copies {@code src} into {@code part}, a view made for this copy, and closes the view: a view left open
     * holds a claim on the whole output's memory, which then never goes back to the pool when the output is
     * closed (every {@code cat} allocated its output afresh).
     */
    private static void copyInto(TensorBody src, TensorBody part) {
        try {
            Kernels.copy(src, part);
        } finally {
            part.close();
        }
    }

    private static TensorBody sliced(TensorBody b, int offset, int[] strides, int d, int start, int length, int step,
                                     boolean drop) {
        int r = b.shape.length;
        int[] s = drop ? new int[r - 1] : b.shape.clone();
        int[] st = drop ? new int[r - 1] : strides.clone();
        if (drop) {
            for (int i = 0, j = 0; i < r; i++) {
                if (i != d) {
                    s[j] = b.shape[i];
                    st[j++] = strides[i];
                }
            }
        } else {
            s[d] = length;
            st[d] = strides[d] * step;
        }
        int viewOffset = length == 0 && !drop ? offset : offset + start * strides[d];
        return b.view(viewOffset, s, st);
    }

    static Tensor narrow(Tensor x, int dim, int start, int length) {
        int[] shape = x.body().shape;
        if (shape.length == 0) {
            throw new ShapeException("narrow: cannot narrow a 0-dim tensor");
        }
        int d = Shapes.wrapDim("narrow", dim, shape.length);
        int size = shape[d];
        int st = start < 0 ? start + size : start;
        if (st < 0 || st > size || length < 0 || st + (long) length > size) {
            throw new ShapeException("narrow: start " + start + " and length " + length + " are out of range for "
                    + "dimension " + d + " of size " + size + " (shape " + Shapes.format(shape) + ")");
        }
        return sliceView(x, "NarrowBackward", d, st, length, 1, false);
    }

    /** PyTorch's {@code x[..., start:end:step, ...]} along {@code dim}: bounds clamp like Python slices; step > 0. */
    static Tensor slice(Tensor x, int dim, int start, int end, int step) {
        int[] shape = x.body().shape;
        if (shape.length == 0) {
            throw new ShapeException("slice: cannot slice a 0-dim tensor");
        }
        if (step <= 0) {
            throw new ShapeException("slice: step must be positive, got " + step);
        }
        int d = Shapes.wrapDim("slice", dim, shape.length);
        int size = shape[d];
        long s0 = start < 0 ? Math.max(0, (long) start + size) : Math.min(start, size);
        long e0 = end < 0 ? Math.max(0, (long) end + size) : Math.min(end, size);
        int length = e0 <= s0 ? 0 : (int) ((e0 - s0 + step - 1) / step);
        return sliceView(x, "SliceBackward", d, (int) s0, length, step, false);
    }

    static Tensor select(Tensor x, int dim, int index) {
        int[] shape = x.body().shape;
        if (shape.length == 0) {
            throw new ShapeException("select: cannot select from a 0-dim tensor");
        }
        int d = Shapes.wrapDim("select", dim, shape.length);
        int size = shape[d];
        int i = index < 0 ? index + size : index;
        if (i < 0 || i >= size) {
            throw new ShapeException("select: index " + index + " is out of range for dimension " + d + " of size "
                    + size + " (shape " + Shapes.format(shape) + ")");
        }
        return sliceView(x, "SelectBackward", d, i, 1, 1, true);
    }

    // ---- joins ------------------------------------------------------------------------------------------------

    /** Concatenates along {@code dim}; every tensor has the same shape except along {@code dim}. */
    static Tensor cat(int dim, Tensor[] ts) {
        if (ts.length == 0) {
            throw new ShapeException("cat: expected a non-empty list of tensors");
        }
        TensorBody first = ts[0].body();
        int r = first.shape.length;
        if (r == 0) {
            throw new ShapeException("cat: zero-dimensional tensor (at position 0) cannot be concatenated; "
                    + "unsqueeze it or use stack");
        }
        int d = Shapes.wrapDim("cat", dim, r);
        int total = 0;
        int[] sizes = new int[ts.length];
        for (int i = 0; i < ts.length; i++) {
            TensorBody b = Kernels.operand("cat", ts[0], ts[i]);
            if (b.shape.length != r) {
                throw new ShapeException("cat: tensors must have the same number of dimensions: got " + r
                        + " (position 0, shape " + Shapes.format(first.shape) + ") and " + b.shape.length
                        + " (position " + i + ", shape " + Shapes.format(b.shape) + ")");
            }
            for (int k = 0; k < r; k++) {
                if (k != d && b.shape[k] != first.shape[k]) {
                    throw new ShapeException("cat: sizes of tensors must match except in dimension " + d
                            + ": expected size " + first.shape[k] + " but got size " + b.shape[k] + " for tensor "
                            + "number " + i + " in the list (shapes " + Shapes.format(first.shape) + " and "
                            + Shapes.format(b.shape) + ")");
                }
            }
            sizes[i] = b.shape[d];
            total += sizes[i];
        }
        int[] outShape = first.shape.clone();
        outShape[d] = total;
        TensorBody ob = first.newDense(outShape);
        int at = 0;
        for (int i = 0; i < ts.length; i++) {
            copyInto(ts[i].body(), sliced(ob, 0, ob.strides, d, at, sizes[i], 1, false));
            at += sizes[i];
        }
        Tensor[] inputs = ts.clone();
        return Graph.record(new Tensor(ob), "CatBackward", g -> {
            Tensor[] grads = new Tensor[inputs.length];
            int pos = 0;
            for (int i = 0; i < inputs.length; i++) {
                grads[i] = inputs[i].requiresGrad() ? g.narrow(d, pos, sizes[i]) : null;
                pos += sizes[i];
            }
            return grads;
        }, inputs);
    }
}
