package dev.cairn.samples.models;

import dev.cairn.nn.BatchNorm1d;
import dev.cairn.nn.Dropout;
import dev.cairn.nn.GELU;
import dev.cairn.nn.LayerNorm;
import dev.cairn.nn.LeakyReLU;
import dev.cairn.nn.Linear;
import dev.cairn.nn.Module;
import dev.cairn.nn.ModuleDict;
import dev.cairn.nn.ModuleList;
import dev.cairn.nn.Sequential;
import dev.cairn.nn.SiLU;
import dev.cairn.nn.Sigmoid;
import dev.cairn.nn.Tanh;
import dev.cairn.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The reference {@code zoo} ({@code reference_models.py}): activations, normalisation, containers and
 * tensor ops mixed in one model. Input {@code [B, 24]}, output log-probabilities {@code [B, 5]}.
 */
public class Zoo extends Module {
    private final Sequential stem = register("stem", new Sequential(new Linear(24, 48), new LayerNorm(48), new GELU()));
    private final ModuleList branches = register("branches", new ModuleList(
            new Sequential(new Linear(48, 16), new Tanh()),
            new Sequential(new Linear(48, 16), new Sigmoid()),
            new Sequential(new Linear(48, 16), new SiLU())));
    private final ModuleDict gates = register("gates", new ModuleDict()
            .put("mix", new Linear(48, 3)).put("skip", new Linear(48, 48)));
    private final BatchNorm1d bn = register("bn", new BatchNorm1d(48));
    private final LeakyReLU act = register("act", new LeakyReLU(0.1));
    private final Dropout drop = register("drop", new Dropout(0.5));
    private final Linear head = register("head", new Linear(48, 5));

    @Override
    public Tensor forward(Tensor x) {
        Tensor h = stem.call(x);
        h = Tensor.where(h.gt(0.5f), h, h.mul(0.5f));
        Tensor w = gates.get("mix").call(h).softmax(-1);                       // [B, 3]
        List<Tensor> outs = new ArrayList<>();
        for (int i = 0; i < branches.size(); i++) {
            outs.add(branches.get(i).call(h));
        }
        Tensor parts = Tensor.stack(1, outs);                                  // [B, 3, 16]
        Tensor mixed = parts.mul(w.unsqueeze(-1)).flatten(1);                  // [B, 48]
        Tensor skip = gates.get("skip").call(h);
        Tensor y = Tensor.cat(1, mixed.slice(1, 0, 24), skip.slice(1, 24, 48)); // [B, 48]
        y = act.call(bn.call(y)).clamp(-3f, 3f);
        y = drop.call(y);
        return head.call(y).logSoftmax(-1);
    }
}
