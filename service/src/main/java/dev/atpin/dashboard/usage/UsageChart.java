package dev.atpin.dashboard.usage;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.LongFunction;

/**
 * A line chart of one measure per day, drawn by the server as inline SVG (so it needs no script): the
 * geometry is computed here, the template only writes it out. Coordinates are in the SVG's own units.
 *
 * @param summary one sentence saying what the chart shows, for people who do not see it
 * @param days    the same data as text, for the table under the chart
 */
public record UsageChart(String id, String title, String summary, int width, int height, String line, String area,
        List<Grid> grid, List<Tick> ticks, List<Point> points, List<Row> days) {

    /** Where the dates under the x axis sit. */
    public int axisY() {
        return height - 8;
    }

    /** The left edge of the plot, where grid lines start. */
    public int plotLeft() {
        return LEFT;
    }

    /** Where the values of the y axis end (right-aligned). */
    public int labelRight() {
        return LEFT - 6;
    }

    static final int WIDTH = 640;
    static final int HEIGHT = 200;
    private static final int LEFT = 64;
    private static final int RIGHT = 12;
    private static final int TOP = 12;
    private static final int BOTTOM = 28;
    private static final DateTimeFormatter SHORT = DateTimeFormatter.ofPattern("MMM d", Locale.ENGLISH);

    /** A horizontal grid line with its value. */
    public record Grid(String y, String label) {}

    /** A date under the x axis. */
    public record Tick(String x, String label) {}

    /** One day's value: a dot with a tooltip. */
    public record Point(String x, String y, String label) {}

    public record Row(String day, String value) {}

    /**
     * @param values one value per day, {@code days.get(i)} ↔ {@code values.get(i)}, oldest first
     * @param label  writes a value for people (a count, a size)
     */
    static UsageChart of(String id, String title, List<LocalDate> days, List<Long> values, LongFunction<String> label) {
        long max = niceCeiling(values.stream().mapToLong(Long::longValue).max().orElse(0));
        double plotWidth = WIDTH - LEFT - RIGHT;
        double plotHeight = HEIGHT - TOP - BOTTOM;
        int n = days.size();
        List<Point> points = new ArrayList<>(n);
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < n; i++) {
            double x = LEFT + (n == 1 ? plotWidth : plotWidth * i / (n - 1));
            double y = TOP + plotHeight - plotHeight * values.get(i) / max;
            line.append(i == 0 ? "M" : " L").append(num(x)).append(' ').append(num(y));
            points.add(new Point(num(x), num(y), SHORT.format(days.get(i)) + ": " + label.apply(values.get(i))));
        }
        String baseline = num(TOP + plotHeight);
        String area = n == 0 ? "" : line + " L" + points.getLast().x() + " " + baseline + " L" + points.getFirst().x()
                + " " + baseline + " Z";
        List<Grid> grid = new ArrayList<>();
        for (int step = 0; step <= 2; step++) {
            long value = max * step / 2;
            grid.add(new Grid(num(TOP + plotHeight - plotHeight * step / 2), label.apply(value)));
        }
        List<Tick> ticks = new ArrayList<>();
        for (int i : n <= 1 ? List.of(0) : List.of(0, (n - 1) / 2, n - 1)) {
            if (i < n) {
                ticks.add(new Tick(points.get(i).x(), SHORT.format(days.get(i))));
            }
        }
        List<Row> rows = new ArrayList<>(n);
        for (int i = n - 1; i >= 0; i--) {
            rows.add(new Row(days.get(i).toString(), label.apply(values.get(i))));
        }
        long first = n == 0 ? 0 : values.getFirst();
        long last = n == 0 ? 0 : values.getLast();
        String summary = title + " over the last " + n + " days: " + label.apply(first) + " on "
                + (n == 0 ? "" : SHORT.format(days.getFirst())) + ", " + label.apply(last) + " today.";
        return new UsageChart(id, title, summary, WIDTH, HEIGHT, line.toString(), area, grid, ticks, points, rows);
    }

    /** A round upper bound for the axis (1, 2 or 5 times a power of ten; at least 1). */
    static long niceCeiling(long max) {
        if (max <= 1) {
            return 1;
        }
        long magnitude = 1;
        while (magnitude <= max / 10) {
            magnitude *= 10;
        }
        for (long factor : new long[] {1, 2, 5, 10}) {
            if (magnitude * factor >= max) {
                return magnitude * factor;
            }
        }
        return magnitude * 10;
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
