package dev.cairn.tensor;

import dev.cairn.CairnException;
import dev.cairn.Device;
import dev.cairn.backend.RandomOp;
import java.util.Objects;

/**
 * Random tensors made where they live: a {@link Generator}'s counter-based stream, computed by the device's
 * backend ({@link dev.cairn.backend.Backend#random}) from the draw's seed and offset alone, so nothing crosses
 * the host and the numbers are the same on every device. Also dropout, whose mask is such a draw. Stateless.
 */
final class RandomOps {
    private RandomOps() {
    }

    /** A new float32 tensor of {@code shape} on {@code device} holding the next draw of {@code op}. */
    static Tensor random(String name, RandomOp op, Generator generator, Device device, float a, float b, int[] shape) {
        Objects.requireNonNull(generator, () -> name + ": generator is null");
        Objects.requireNonNull(device, () -> name + ": device is null");
        TensorBody body = TensorBody.dense(Devices.backend(device), device, shape.clone());
        Generator.PhiloxDraw draw = generator.philoxDraw(body.numel);
        Kernels.random(op, draw.seed(), draw.offset(), a, b, body);
        return new Tensor(body);
    }

    /**
     * Training-mode dropout as PyTorch's: the input itself for {@code p = 0}, zeros (with a zero gradient) for
     * {@code p = 1}, else {@code input * noise} with {@code noise} = {@code 1 / (1 - p)} where the draw's uniform
     * number is below {@code 1 - p} and 0 elsewhere, made on the input's device in one pass. The product's
     * gradient is {@code grad * noise}: the mask is kept as the multiplication's saved operand.
     */
    static Tensor dropout(Tensor input, double p, Generator generator) {
        if (!(p >= 0 && p <= 1)) {
            throw new CairnException("dropout: dropout probability has to be between 0 and 1, but got " + p);
        }
        if (p == 0) {
            return input;
        }
        if (p == 1) {
            return input.mul(0f);
        }
        float keep = (float) (1 - p);
        Tensor noise = random("dropout", RandomOp.BERNOULLI, generator, input.device(), keep, 1f / keep, input.shape());
        return input.mul(noise);
    }
}
