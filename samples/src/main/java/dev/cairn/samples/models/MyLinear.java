package dev.cairn.samples.models;

import dev.cairn.nn.F;
import dev.cairn.nn.Module;
import dev.cairn.nn.Parameter;
import dev.cairn.tensor.Tensor;

/** D2L's MyLinear (Custom Layers): its own weight [in, units] and bias [units]; forward relu(X @ weight + bias). */
public class MyLinear extends Module {
    private final Parameter weight;
    private final Parameter bias;

    public MyLinear(int inUnits, int units) {
        weight = registerParameter("weight", Tensor.randn(inUnits, units));
        bias = registerParameter("bias", Tensor.randn(units));
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.relu(x.matmul(weight).add(bias));
    }
}
