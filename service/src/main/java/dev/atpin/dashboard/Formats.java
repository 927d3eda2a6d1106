package dev.atpin.dashboard;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** How the dashboard writes sizes, counts and times: for people, in UTC, the same on every page. */
public final class Formats {

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter WHEN_SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

    private Formats() {}

    public static String when(Instant instant) {
        return instant == null ? "" : WHEN.format(instant);
    }

    public static String whenSeconds(Instant instant) {
        return instant == null ? "" : WHEN_SECONDS.format(instant);
    }

    /** 1536 → "1.5 KiB"; exact bytes below 1 KiB. */
    public static String bytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, value >= 100 ? "%.0f %s" : "%.1f %s", value, UNITS[unit]);
    }

    /** 1234567 → "1,234,567". */
    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** A share as a whole percentage for people ("< 1%" rather than a misleading "0%"). */
    public static String percent(long used, long limit) {
        if (limit <= 0) {
            return "–";
        }
        double share = 100.0 * used / limit;
        return share > 0 && share < 1 ? "< 1%" : String.format(Locale.ROOT, "%.0f%%", share);
    }
}
