package dev.atpin.abuse;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The counters behind the limits on unauthenticated work: per client, in total, and windows that end. */
class FixedWindowsTest {

    private final AtomicLong now = new AtomicLong(0);
    private final Ticker ticker = now::get;

    @Test
    void eachClientAndAllTogetherAreBoundedUntilTheWindowEnds() {
        FixedWindows windows = new FixedWindows(3, 5, Duration.ofMinutes(1), ticker);
        for (int i = 0; i < 3; i++) {
            assertThat(windows.admit("198.51.100.1")).isTrue();
        }
        assertThat(windows.admit("198.51.100.1")).as("fourth from one client").isFalse();
        assertThat(windows.admit("198.51.100.2")).isTrue();
        assertThat(windows.admit("198.51.100.3")).isTrue();
        assertThat(windows.admit("198.51.100.4")).as("the total is spent, whoever asks").isFalse();

        now.addAndGet(Duration.ofMinutes(1).plusSeconds(1).toNanos());
        assertThat(windows.admit("198.51.100.1")).as("a new window").isTrue();
        assertThat(windows.admit("198.51.100.4")).isTrue();
    }
}
