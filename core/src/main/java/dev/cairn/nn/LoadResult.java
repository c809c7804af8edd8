package dev.cairn.nn;

import java.util.List;

/** What {@code loadStateDict} did not match, as PyTorch's {@code _IncompatibleKeys}. */
public record LoadResult(List<String> missingKeys, List<String> unexpectedKeys) {
    public boolean isClean() {
        return missingKeys.isEmpty() && unexpectedKeys.isEmpty();
    }
}
