package dev.cairn.spark;

import java.util.Locale;

/**
 * What {@link CairnTransformer} does with a row it cannot score: its input is null, has a null
 * element, has the wrong number of features, or (unless allowed) holds NaN or an infinity.
 */
public enum BadRowPolicy {
    /** Fail the job with an error naming the row's position and the problem (the default). */
    FAIL,
    /** Drop the row from the output and count it in the bad-rows accumulator. */
    SKIP,
    /** Keep the row with null output (and prediction) and count it in the bad-rows accumulator. */
    KEEP;

    /** The policy named {@code name} ({@code fail}, {@code skip} or {@code keep}, any case). */
    public static BadRowPolicy parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("badRowPolicy must be fail, skip or keep, got '" + name + "'");
        }
    }

    /** The name as a Param value. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
