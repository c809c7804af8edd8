package dev.cairn.nn.optim;

import dev.cairn.CairnException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Changes an optimizer's learning rate as training goes, like {@code torch.optim.lr_scheduler}: make
 * it after the optimizer (it then sets the rate for epoch 0), and call {@link #step()} once per epoch
 * (or per iteration, as the schedule is meant), after {@code optimizer.step()}. Rates are computed
 * in double precision with PyTorch's own (chainable) formulas, so they equal PyTorch's. The schedule
 * starts from the optimizer's rate when its first scheduler was made (PyTorch's {@code initial_lr}).
 * Not thread-safe.
 */
public abstract class LRScheduler {
    protected final Optimizer optimizer;
    /** The rate the schedule starts from (PyTorch's {@code base_lrs[0]}). */
    protected final double baseLr;
    /** Steps taken since the start: 0 after construction (PyTorch's {@code last_epoch}). */
    protected int lastEpoch = -1;
    private int stepCount;
    private double lastLr;

    protected LRScheduler(Optimizer optimizer) {
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        this.baseLr = optimizer.initialLr();
    }

    /** Sets the rate for epoch 0; a concrete scheduler's constructor calls it last (PyTorch's {@code _initial_step}). */
    protected final void initialStep() {
        stepCount = 0;
        step();
    }

    /** Advances one epoch and sets the optimizer's rate for it. */
    public void step() {
        stepCount++;
        lastEpoch++;
        setLr(computeLr());
    }

    /** Jumps to {@code epoch} with the closed-form rate (what PyTorch's {@code step(epoch)} does; used by {@link SequentialLR}). */
    void stepTo(int epoch) {
        stepCount++;
        lastEpoch = epoch;
        setLr(closedFormLr());
    }

    private void setLr(double lr) {
        optimizer.setLr(lr);
        lastLr = lr;
    }

    /** The rate for {@link #lastEpoch} from the optimizer's current rate (PyTorch's {@code get_lr}). */
    protected abstract double computeLr();

    /** The rate for {@link #lastEpoch} from {@link #baseLr} alone (PyTorch's {@code _get_closed_form_lr}). */
    protected abstract double closedFormLr();

    /** The rate set by the last step (PyTorch's {@code get_last_lr()[0]}). */
    public double lastLr() {
        return lastLr;
    }

    /** Steps taken since construction (PyTorch's {@code last_epoch}). */
    public int lastEpoch() {
        return lastEpoch;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    /** The position in the schedule ({@code last_epoch}, {@code _step_count}, {@code last_lr}), to resume it later. */
    public Map<String, Double> stateDict() {
        Map<String, Double> s = new LinkedHashMap<>();
        s.put("last_epoch", (double) lastEpoch);
        s.put("step_count", (double) stepCount);
        s.put("last_lr", lastLr);
        return s;
    }

    /** Restores a position saved by {@link #stateDict()} from a scheduler of the same kind and settings. */
    public void loadStateDict(Map<String, Double> state) {
        for (String k : new String[] {"last_epoch", "step_count", "last_lr"}) {
            if (!state.containsKey(k)) {
                throw new CairnException(getClass().getSimpleName() + ": the saved scheduler state has no '" + k
                        + "' (has: " + state.keySet() + ")");
            }
        }
        lastEpoch = state.get("last_epoch").intValue();
        stepCount = state.get("step_count").intValue();
        lastLr = state.get("last_lr");
    }
}
