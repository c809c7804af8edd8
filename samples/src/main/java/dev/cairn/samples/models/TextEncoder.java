package dev.cairn.samples.models;

import dev.cairn.nn.Embedding;
import dev.cairn.nn.LayerNorm;
import dev.cairn.nn.Linear;
import dev.cairn.nn.Module;
import dev.cairn.nn.Parameter;
import dev.cairn.nn.TransformerEncoder;
import dev.cairn.nn.TransformerEncoderLayer;
import dev.cairn.DType;
import dev.cairn.tensor.Tensor;

/**
 * The reference {@code encoder} ({@code reference_models.py}): int64 token ids {@code [B, T]} (0 is
 * padding) through an embedding with a padding row, a learned positional parameter, two pre-norm transformer
 * encoder layers with a key-padding mask, a final LayerNorm and masked mean pooling, to {@code [B, 3]}.
 */
public class TextEncoder extends Module {
    private final Embedding tok;
    private final Parameter pos;
    private final TransformerEncoder encoder;
    private final LayerNorm norm;
    private final Linear head;

    public TextEncoder() {
        this(50, 32, 4, 2, 3, 16);
    }

    public TextEncoder(int vocab, int d, int heads, int layers, int classes, int maxLen) {
        this(vocab, d, heads, layers, classes, maxLen, 64);
    }

    /**
     * The same architecture with a feed-forward width of {@code ff} (the reference's is 64), as
     * {@code reference_models.TextEncoder} with its layers built by
     * {@code nn.TransformerEncoderLayer(d, heads, dim_feedforward=ff, ...)}.
     */
    public TextEncoder(int vocab, int d, int heads, int layers, int classes, int maxLen, int ff) {
        tok = register("tok", new Embedding(vocab, d, 0));
        pos = registerParameter("pos", Tensor.randn(maxLen, d).mul(0.02f));
        encoder = register("encoder", new TransformerEncoder(
                () -> new TransformerEncoderLayer(d, heads, ff, 0.1, "gelu", 1e-5f, true, true), layers));
        norm = register("norm", new LayerNorm(d));
        head = register("head", new Linear(d, classes));
    }

    @Override
    public Tensor forward(Tensor tokens) {
        Tensor pad = tokens.eq(0f);                                   // bool [B, T]
        Tensor x = tok.call(tokens).add(pos.narrow(0, 0, tokens.size(1)));
        x = encoder.call(x, null, pad);
        Tensor keep = pad.logicalNot().unsqueeze(-1).to(DType.FLOAT32);   // [B, T, 1]
        x = norm.call(x).mul(keep).sum(1, false).div(keep.sum(1, false));
        return head.call(x);
    }
}
