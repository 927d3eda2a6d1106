package dev.atpin.api;

/** The Pinning Service API's error body: {@code {"error":{"reason":"…","details":"…"}}}. */
public record Failure(Error error) {

    public record Error(String reason, String details) {}

    public static Failure of(String reason, String details) {
        return new Failure(new Error(reason, details));
    }
}
