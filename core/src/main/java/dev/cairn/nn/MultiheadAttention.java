package dev.cairn.nn;

import dev.cairn.CairnException;
import dev.cairn.DType;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.ShapeException;
import dev.cairn.tensor.Shapes;
import dev.cairn.tensor.Tensor;

/**
 * Multi-head scaled dot-product attention, like {@code torch.nn.MultiheadAttention} with PyTorch's packed
 * parameters ({@code in_proj_weight [3E, E]}, {@code in_proj_bias [3E]}, {@code out_proj}) and state-dict
 * keys. Inputs are {@code [B, L, E]} with {@code batchFirst}, else {@code [L, B, E]}. A key-padding mask
 * ({@code [B, S]}, bool, true = ignore that key) and an attention mask ({@code [L, S]} or
 * {@code [B*heads, L, S]}; bool true = not allowed, or float added to the scores) are optional; a query
 * row with every key masked gives NaN, as in PyTorch. Attention dropout applies in training mode only.
 * Safe to share between threads for inference.
 */
public class MultiheadAttention extends Module {
    /**
     * Widest head for the fused attention kernel on devices other than the CPU: the CUDA kernel (one thread per
     * query row) is unmeasured at wider heads, so there the scores go through the GEMM above this. The CPU
     * kernel takes four query rows at a time and beats the scores path at head size 64 too (encoder-large).
     */
    private static final int FUSED_MAX_HEAD_DIM_OFF_CPU = 32;

    /** The result of a call: the attended values and, when asked for, the attention weights. */
    public record Output(Tensor output, Tensor weights) {
    }

    /** PyTorch's name for the output projection, which its repr shows; a plain {@link Linear} otherwise. */
    static final class NonDynamicallyQuantizableLinear extends Linear {
        NonDynamicallyQuantizableLinear(int in, int out, boolean bias) {
            super(in, out, bias);
        }
    }

    private final int embedDim;
    private final int numHeads;
    private final boolean batchFirst;
    public final Parameter inProjWeight;
    public final Parameter inProjBias;
    public final Linear outProj;
    private final Dropout attnDropout;

    public MultiheadAttention(int embedDim, int numHeads) {
        this(embedDim, numHeads, 0.0, true, false);
    }

    public MultiheadAttention(int embedDim, int numHeads, double dropout, boolean bias, boolean batchFirst) {
        if (numHeads <= 0 || embedDim % numHeads != 0) {
            throw new CairnException("MultiheadAttention: embed_dim (" + embedDim + ") must be divisible by num_heads ("
                    + numHeads + ")");
        }
        this.embedDim = embedDim;
        this.numHeads = numHeads;
        this.batchFirst = batchFirst;
        float bound = (float) Math.sqrt(6.0 / (embedDim + 3 * embedDim)); // xavier_uniform of [3E, E]
        float[] w = new float[3 * embedDim * embedDim];
        Generator.global().fillUniform(w, -bound, bound);
        this.inProjWeight = registerParameter("in_proj_weight", Tensor.of(w, 3 * embedDim, embedDim));
        this.inProjBias = bias ? registerParameter("in_proj_bias", Tensor.zeros(3 * embedDim)) : null;
        this.outProj = register("out_proj", new NonDynamicallyQuantizableLinear(embedDim, embedDim, bias));
        if (bias) {
            outProj.bias.copyFrom(Tensor.zeros(embedDim));
        }
        this.attnDropout = dropout > 0 ? new Dropout(dropout) : null;
    }

    public int embedDim() {
        return embedDim;
    }

    public int numHeads() {
        return numHeads;
    }

    /** Self-attention without masks: {@code forward(x)} is {@code call(x, x, x, null, null, false).output()}. */
    @Override
    public Tensor forward(Tensor x) {
        return attend(x, x, x, null, null, false).output();
    }

    /** query, key, value (and optionally keyPaddingMask, attnMask) as tensors, returning the output only. */
    @Override
    public Tensor forward(Tensor... inputs) {
        if (inputs.length < 3 || inputs.length > 5) {
            throw new CairnException("MultiheadAttention takes query, key, value[, key_padding_mask[, attn_mask]], got "
                    + inputs.length + " tensors");
        }
        return attend(inputs[0], inputs[1], inputs[2], inputs.length > 3 ? inputs[3] : null,
                inputs.length > 4 ? inputs[4] : null, false).output();
    }

    /**
     * Attention of {@code query} over {@code key}/{@code value}, as PyTorch's
     * {@code mha(query, key, value, key_padding_mask, need_weights, attn_mask)}; with {@code needWeights} the
     * weights averaged over heads ({@code [B, L, S]}) come back too.
     */
    public Output call(Tensor query, Tensor key, Tensor value, Tensor keyPaddingMask, Tensor attnMask,
                       boolean needWeights) {
        return invoke(query, () -> attend(query, key, value, keyPaddingMask, attnMask, needWeights));
    }

    private Output attend(Tensor query, Tensor key, Tensor value, Tensor keyPaddingMask, Tensor attnMask,
                          boolean needWeights) {
        Tensor q0 = batchFirst ? query : query.transpose(0, 1);
        Tensor k0 = batchFirst ? key : key.transpose(0, 1);
        Tensor v0 = batchFirst ? value : value.transpose(0, 1);
        int[] qs = q0.shape();
        int[] ks = k0.shape();
        if (qs.length != 3 || qs[2] != embedDim || ks.length != 3 || ks[2] != embedDim || !java.util.Arrays.equals(v0.shape(), ks)) {
            throw new ShapeException("MultiheadAttention(embed_dim=" + embedDim + ") expects query, key and value of "
                    + "shape " + (batchFirst ? "[B, L, " : "[L, B, ") + embedDim + "] (key and value alike), got "
                    + Shapes.format(query.shape()) + ", " + Shapes.format(key.shape()) + ", "
                    + Shapes.format(value.shape()));
        }
        int b = qs[0];
        int l = qs[1];
        int s = ks[1];
        int d = embedDim / numHeads;
        if (keyPaddingMask != null && !java.util.Arrays.equals(keyPaddingMask.shape(), new int[] {b, s})) {
            throw new ShapeException("MultiheadAttention: key_padding_mask must have shape [" + b + ", " + s
                    + "], got " + Shapes.format(keyPaddingMask.shape()));
        }
        Tensor am = attnMask == null ? null : attnMask.dim() == 3 ? attnMask.reshape(b, numHeads, l, s) : attnMask;
        Tensor kpm = keyPaddingMask == null ? null : keyPaddingMask.reshape(b, 1, 1, s);
        // [B, L, E] -> [B, H, L, D]; queries are scaled by 1/sqrt(D) before the product, as PyTorch does
        Tensor q;
        Tensor k;
        Tensor v;
        if (query == key && key == value) {
            // self-attention: one product with the packed [3E, E] weight (each output the same sum as with its
            // chunk), then q, k and v are views of its [B, L, 3, H, D] result
            Tensor qkv = Tensor.linear(q0, inProjWeight, inProjBias).reshape(b, l, 3, numHeads, d);
            q = qkv.select(2, 0).transpose(1, 2);
            k = qkv.select(2, 1).transpose(1, 2);
            v = qkv.select(2, 2).transpose(1, 2);
        } else {
            Tensor[] w = inProjWeight.chunk(3, 0).toArray(new Tensor[0]);
            Tensor[] bias = inProjBias == null ? new Tensor[3] : inProjBias.chunk(3, 0).toArray(new Tensor[0]);
            q = Tensor.linear(q0, w[0], bias[0]).reshape(b, l, numHeads, d).transpose(1, 2);
            k = Tensor.linear(k0, w[1], bias[1]).reshape(b, s, numHeads, d).transpose(1, 2);
            v = Tensor.linear(v0, w[2], bias[2]).reshape(b, s, numHeads, d).transpose(1, 2);
        }
        Tensor attn = null;
        Tensor heads;
        boolean wideOffCpu = d > FUSED_MAX_HEAD_DIM_OFF_CPU && !q0.device().isCpu();
        if (needWeights || (attnDropout != null && isTraining()) || wideOffCpu) {
            // the weights are needed (returned, or dropped out), or wide heads off the CPU: the scores go
            // through memory
            Tensor scores = q.div((float) Math.sqrt(d)).matmul(k.transpose(-2, -1)); // [B, H, L, S]
            if (am != null) {
                scores = applyMask(scores, am);
            }
            if (kpm != null) {
                scores = applyMask(scores, kpm);
            }
            attn = scores.softmax(-1);
            if (attnDropout != null && isTraining()) {
                attn = attnDropout.call(attn);
            }
            heads = attn.matmul(v);
        } else {
            // one fused kernel; bool masks become additive float masks (0 or -inf), as PyTorch merges them
            Tensor mask = additive(am, q);
            Tensor padding = additive(kpm, q);
            mask = mask == null ? padding : padding == null ? mask : mask.add(padding);
            heads = q.scaledDotProductAttention(k, v, mask, (float) (1.0 / Math.sqrt(d)));
        }
        Tensor out = heads.transpose(1, 2).reshape(b, l, embedDim);
        out = outProj.call(out);
        if (!batchFirst) {
            out = out.transpose(0, 1);
        }
        return new Output(out, needWeights ? attn.mean(1, false) : null);
    }

    /** A mask as a float tensor added to the scores: bool true becomes {@code -inf}, false 0; float stays. */
    private static Tensor additive(Tensor mask, Tensor like) {
        if (mask == null || mask.dtype() != DType.BOOL) {
            return mask;
        }
        return Tensor.zeros(like.device(), mask.shape()).maskedFill(mask, Float.NEGATIVE_INFINITY);
    }

    /** A bool mask (true = masked) becomes -inf; a float mask is added, as PyTorch treats each. */
    private static Tensor applyMask(Tensor scores, Tensor mask) {
        return mask.dtype() == DType.BOOL ? scores.maskedFill(mask, Float.NEGATIVE_INFINITY) : scores.add(mask);
    }
}
