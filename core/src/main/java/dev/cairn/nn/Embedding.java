package dev.cairn.nn;

import dev.cairn.CairnException;
import dev.cairn.DType;
import dev.cairn.tensor.Generator;
import dev.cairn.tensor.Tensor;

/**
 * A lookup table of {@code numEmbeddings} vectors of size {@code embeddingDim}, like
 * {@code torch.nn.Embedding}: int64 ids of any shape in, {@code ids.shape + [embeddingDim]} out. The weight
 * starts standard normal; with a {@code paddingIdx} that row starts at zero and never gets a gradient.
 */
public class Embedding extends Module {
    private final int numEmbeddings;
    private final int embeddingDim;
    private final int paddingIdx;
    public final Parameter weight;

    public Embedding(int numEmbeddings, int embeddingDim) {
        this(numEmbeddings, embeddingDim, -1);
    }

    /** {@code paddingIdx}: a row in {@code [0, numEmbeddings)} whose gradient is always zero, or -1 for none. */
    public Embedding(int numEmbeddings, int embeddingDim, int paddingIdx) {
        this(numEmbeddings, embeddingDim, paddingIdx, Generator.global());
    }

    /**
     * A table whose initial values come from {@code generator}; {@code paddingIdx} is a row in
     * {@code [0, numEmbeddings)}, or any negative value for none.
     */
    public Embedding(int numEmbeddings, int embeddingDim, int paddingIdx, Generator generator) {
        if (paddingIdx >= numEmbeddings) {
            throw new CairnException("Embedding: padding_idx " + paddingIdx + " must be within num_embeddings ("
                    + numEmbeddings + ")");
        }
        this.numEmbeddings = numEmbeddings;
        this.embeddingDim = embeddingDim;
        this.paddingIdx = paddingIdx;
        float[] data = new float[numEmbeddings * embeddingDim];
        generator.fillNormal(data, 0f, 1f);
        if (paddingIdx >= 0) {
            java.util.Arrays.fill(data, paddingIdx * embeddingDim, (paddingIdx + 1) * embeddingDim, 0f);
        }
        this.weight = registerParameter("weight", Tensor.of(data, numEmbeddings, embeddingDim));
    }

    @Override
    public Tensor forward(Tensor ids) {
        if (ids.dtype() != DType.INT64 && ids.dtype() != DType.INT32) {
            throw new CairnException("Embedding(" + numEmbeddings + ", " + embeddingDim + ") expects integer ids "
                    + "(int64), got a " + ids.dtype() + " tensor; convert with to(DType.INT64)");
        }
        return F.embedding(ids.to(DType.INT64), weight, paddingIdx);
    }

    @Override
    public String extraRepr() {
        return numEmbeddings + ", " + embeddingDim + (paddingIdx >= 0 ? ", padding_idx=" + paddingIdx : "");
    }
}
