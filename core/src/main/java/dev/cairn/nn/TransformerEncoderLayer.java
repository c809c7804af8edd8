package dev.cairn.nn;

import dev.cairn.CairnException;
import dev.cairn.tensor.Tensor;

/**
 * One transformer encoder block, like {@code torch.nn.TransformerEncoderLayer}: self-attention and a
 * feed-forward network ({@code linear1}, activation, dropout, {@code linear2}), each with a residual
 * connection and LayerNorm, after ({@code normFirst} false, the default) or before ({@code normFirst} true)
 * the sub-block. The activation is {@code "relu"} or {@code "gelu"}; children and state-dict keys are
 * PyTorch's.
 */
public class TransformerEncoderLayer extends Module {
    private final boolean normFirst;
    private final boolean gelu;
    public final MultiheadAttention selfAttn;
    public final Linear linear1;
    public final Dropout dropout;
    public final Linear linear2;
    public final LayerNorm norm1;
    public final LayerNorm norm2;
    public final Dropout dropout1;
    public final Dropout dropout2;

    public TransformerEncoderLayer(int dModel, int nhead) {
        this(dModel, nhead, 2048, 0.1, "relu", 1e-5f, false, false);
    }

    public TransformerEncoderLayer(int dModel, int nhead, int dimFeedforward, double dropout, String activation,
                                   float layerNormEps, boolean batchFirst, boolean normFirst) {
        if (!activation.equals("relu") && !activation.equals("gelu")) {
            throw new CairnException("TransformerEncoderLayer: activation must be \"relu\" or \"gelu\", got \""
                    + activation + "\"");
        }
        this.normFirst = normFirst;
        this.gelu = activation.equals("gelu");
        this.selfAttn = register("self_attn", new MultiheadAttention(dModel, nhead, dropout, true, batchFirst));
        this.linear1 = register("linear1", new Linear(dModel, dimFeedforward));
        this.dropout = register("dropout", new Dropout(dropout));
        this.linear2 = register("linear2", new Linear(dimFeedforward, dModel));
        this.norm1 = register("norm1", new LayerNorm(new int[] {dModel}, layerNormEps, true));
        this.norm2 = register("norm2", new LayerNorm(new int[] {dModel}, layerNormEps, true));
        this.dropout1 = register("dropout1", new Dropout(dropout));
        this.dropout2 = register("dropout2", new Dropout(dropout));
    }

    @Override
    public Tensor forward(Tensor src) {
        return encode(src, null, null);
    }

    /** {@code src} with an optional attention mask and key-padding mask ({@code [B, S]}, true = padding). */
    public Tensor call(Tensor src, Tensor srcMask, Tensor srcKeyPaddingMask) {
        return invoke(src, () -> encode(src, srcMask, srcKeyPaddingMask));
    }

    private Tensor encode(Tensor src, Tensor srcMask, Tensor padding) {
        Tensor x = src;
        if (normFirst) {
            x = x.add(selfAttention(norm1.call(x), srcMask, padding));
            x = x.add(feedForward(norm2.call(x)));
        } else {
            x = norm1.call(x.add(selfAttention(x, srcMask, padding)));
            x = norm2.call(x.add(feedForward(x)));
        }
        return x;
    }

    private Tensor selfAttention(Tensor x, Tensor mask, Tensor padding) {
        return dropout1.call(selfAttn.call(x, x, x, padding, mask, false).output());
    }

    private Tensor feedForward(Tensor x) {
        Tensor h = linear1.call(x);
        h = gelu ? h.gelu() : h.relu();
        return dropout2.call(linear2.call(dropout.call(h)));
    }
}
