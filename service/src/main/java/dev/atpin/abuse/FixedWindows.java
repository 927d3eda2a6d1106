package dev.atpin.abuse;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts events per key and in total in fixed windows, in memory. A key's window starts with its first event;
 * the total's windows are aligned to the clock. Keys are bounded (the least recently used go first): a caller
 * rotating through many addresses loses its counters, but never escapes the total.
 */
final class FixedWindows {

    private final int perKey;
    private final int total;
    private final Duration window;
    private final Ticker ticker;
    private final Cache<String, AtomicInteger> keys;
    private final AtomicLong totalWindow = new AtomicLong(-1);
    private final AtomicInteger totalCount = new AtomicInteger();

    FixedWindows(int perKey, int total, Duration window, Ticker ticker) {
        this.perKey = perKey;
        this.total = total;
        this.window = window;
        this.ticker = ticker;
        this.keys = Caffeine.newBuilder().expireAfterWrite(window).maximumSize(100_000).ticker(ticker).build();
    }

    /** Counts one event for {@code key}; false when it is over the key's or the total limit (it is not done). */
    boolean admit(String key) {
        AtomicInteger mine = keys.get(key, k -> new AtomicInteger());
        if (mine.incrementAndGet() > perKey) {
            return false;
        }
        long current = ticker.read() / window.toNanos();
        long seen = totalWindow.get();
        if (seen != current && totalWindow.compareAndSet(seen, current)) {
            totalCount.set(0);
        }
        return totalCount.incrementAndGet() <= total;
    }

    Duration window() {
        return window;
    }
}
