package dev.cairn.backend;

/**
 * Reductions along one dimension. MAX and MIN propagate NaN as PyTorch does; ARGMAX and ARGMIN
 * give the first index of the extreme value (a NaN counts as the extreme), written as a float32 (exact
 * below 2^24; core converts it to int64). PROD multiplies (float32 in double precision, int64 wrapping as
 * PyTorch's). The CUDA backend finds each op's kernel by its name, never by the ordinal.
 */
public enum ReduceOp {
    SUM, MAX, MIN, ARGMAX, ARGMIN, PROD
}
