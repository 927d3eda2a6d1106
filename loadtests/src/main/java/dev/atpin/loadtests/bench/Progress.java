package dev.atpin.loadtests.bench;

import java.time.Duration;
import java.time.Instant;

/** Progress lines on stderr with the time since the start, so a long run shows where it is. */
final class Progress {

    private final Instant start = Instant.now();

    void phase(String what) {
        System.err.printf("%n[%s] == %s%n", elapsed(), what);
    }

    void step(String what) {
        System.err.printf("[%s]    %s%n", elapsed(), what);
    }

    private String elapsed() {
        Duration d = Duration.between(start, Instant.now());
        return String.format("%02d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart());
    }
}
