package dev.cairn.backend;

/** Whether a backend can run here, and the reason when it cannot (no driver, no GPU, natives failed...). */
public record Availability(boolean usable, String reason) {
    public static Availability yes(String detail) {
        return new Availability(true, detail);
    }

    public static Availability no(String reason) {
        return new Availability(false, reason);
    }
}
