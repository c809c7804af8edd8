package dev.cairn.backend;

/**
 * Reductions along one dimension. MAX and MIN propagate NaN as PyTorch does; ARGMAX and ARGMIN
 * give the first index of the extreme value (a NaN counts as the extreme) as a float.
 */
public enum ReduceOp {
    SUM, MAX, MIN, ARGMAX, ARGMIN
}
