package dev.cairn.nn.optim;

import dev.cairn.CairnException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs schedulers one after another, switching at the given milestones, like
 * {@code torch.optim.lr_scheduler.SequentialLR}: e.g. a {@link LinearLR} warm-up for 5 steps, then
 * {@link CosineAnnealingLR}: {@code new SequentialLR(opt, List.of(warmup, cosine), 5)}. Make the
 * schedulers for the same optimizer just before; this resets its rate and restarts the first one.
 */
public final class SequentialLR extends LRScheduler {
    private final List<LRScheduler> schedulers;
    private final int[] milestones;

    public SequentialLR(Optimizer optimizer, List<? extends LRScheduler> schedulers, int... milestones) {
        super(optimizer);
        if (schedulers.isEmpty()) {
            throw new CairnException("SequentialLR: needs at least one scheduler");
        }
        for (int i = 0; i < schedulers.size(); i++) {
            if (schedulers.get(i).optimizer() != optimizer) {
                throw new CairnException("SequentialLR expects all schedulers to belong to the same optimizer, but the "
                        + "scheduler at index " + i + " belongs to another one");
            }
        }
        if (milestones.length != schedulers.size() - 1) {
            throw new CairnException("SequentialLR expects one milestone fewer than schedulers, got " + schedulers.size()
                    + " schedulers and " + milestones.length + " milestones");
        }
        for (int i = 1; i < milestones.length; i++) {
            if (milestones[i] < milestones[i - 1]) {
                throw new CairnException("SequentialLR: milestones must be increasing, got " + Arrays.toString(milestones));
            }
        }
        this.schedulers = List.copyOf(schedulers);
        this.milestones = milestones.clone();
        lastEpoch = 0;
        optimizer.setLr(baseLr); // undo what the schedulers' own first steps did, as PyTorch does
        for (LRScheduler s : this.schedulers) {
            s.lastEpoch -= 1;
        }
        this.schedulers.get(0).initialStep();
    }

    @Override
    public void step() {
        lastEpoch++;
        int idx = bisectRight(milestones, lastEpoch);
        LRScheduler s = schedulers.get(idx);
        if (idx > 0 && milestones[idx - 1] == lastEpoch) {
            s.stepTo(0);
        } else {
            s.step();
        }
    }

    private static int bisectRight(int[] a, int x) {
        int i = 0;
        while (i < a.length && a[i] <= x) {
            i++;
        }
        return i;
    }

    @Override
    public double lastLr() {
        int idx = bisectRight(milestones, lastEpoch);
        return schedulers.get(Math.min(idx, schedulers.size() - 1)).lastLr();
    }

    @Override
    protected double computeLr() {
        throw new IllegalStateException("SequentialLR delegates to its schedulers");
    }

    @Override
    protected double closedFormLr() {
        throw new IllegalStateException("SequentialLR delegates to its schedulers");
    }

    @Override
    public Map<String, Double> stateDict() {
        Map<String, Double> s = new LinkedHashMap<>();
        s.put("last_epoch", (double) lastEpoch);
        for (int i = 0; i < schedulers.size(); i++) {
            for (Map.Entry<String, Double> e : schedulers.get(i).stateDict().entrySet()) {
                s.put("schedulers." + i + "." + e.getKey(), e.getValue());
            }
        }
        return s;
    }

    @Override
    public void loadStateDict(Map<String, Double> state) {
        Double last = state.get("last_epoch");
        if (last == null) {
            throw new CairnException("SequentialLR: the saved scheduler state has no 'last_epoch'");
        }
        for (int i = 0; i < schedulers.size(); i++) {
            String prefix = "schedulers." + i + ".";
            Map<String, Double> sub = new LinkedHashMap<>();
            state.forEach((k, v) -> {
                if (k.startsWith(prefix)) {
                    sub.put(k.substring(prefix.length()), v);
                }
            });
            schedulers.get(i).loadStateDict(sub);
        }
        lastEpoch = last.intValue();
    }
}
