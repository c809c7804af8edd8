package dev.cairn.nn;

import dev.cairn.tensor.Tensor;
import java.util.function.Supplier;

/**
 * A stack of {@link TransformerEncoderLayer}s, like {@code torch.nn.TransformerEncoder}: PyTorch copies one
 * layer {@code numLayers} times, here a factory makes each one (keys {@code layers.0...}); an optional final
 * {@code norm}.
 */
public class TransformerEncoder extends Module {
    public final ModuleList layers;
    public final Module norm;

    public TransformerEncoder(Supplier<TransformerEncoderLayer> layer, int numLayers) {
        this(layer, numLayers, null);
    }

    public TransformerEncoder(Supplier<TransformerEncoderLayer> layer, int numLayers, Module norm) {
        ModuleList list = new ModuleList();
        for (int i = 0; i < numLayers; i++) {
            list.add(layer.get());
        }
        this.layers = register("layers", list);
        this.norm = norm == null ? null : register("norm", norm);
    }

    @Override
    public Tensor forward(Tensor src) {
        return encode(src, null, null);
    }

    /** {@code src} through every layer with an optional attention mask and key-padding mask. */
    public Tensor call(Tensor src, Tensor mask, Tensor srcKeyPaddingMask) {
        return invoke(src, () -> encode(src, mask, srcKeyPaddingMask));
    }

    private Tensor encode(Tensor src, Tensor mask, Tensor padding) {
        Tensor x = src;
        for (int i = 0; i < layers.size(); i++) {
            x = layers.get(i, TransformerEncoderLayer.class).call(x, mask, padding);
        }
        return norm == null ? x : norm.call(x);
    }
}
