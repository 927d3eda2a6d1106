package dev.atpin.loadtests.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The one table the runner prints and writes: each figure, its anchor, the ratio and the target. */
final class Results {

    /** One line; {@code anchor} and {@code ratio} are empty for figures without one. */
    record Row(String what, String figure, String p50, String p99, String cpu, String anchor, String ratio, String target,
            String met) {}

    private final List<Row> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    void add(Row row) {
        rows.add(row);
    }

    void note(String note) {
        notes.add(note);
    }

    static String rate(double perSecond) {
        return String.format("%,.0f/s", perSecond);
    }

    static String millis(double ms) {
        return ms < 10 ? String.format("%.1f ms", ms) : String.format("%.0f ms", ms);
    }

    static String ratio(double ours, double anchor) {
        return anchor <= 0 ? "—" : String.format("%.2f", ours / anchor);
    }

    /** "yes"/"NO" for a target of at least {@code min} × the anchor. */
    static String atLeast(double ours, double anchor, double min) {
        return anchor <= 0 ? "—" : ours / anchor >= min ? "yes" : "NO";
    }

    String render() {
        String[] head = {"measurement", "throughput", "p50", "p99", "CPU/req", "anchor", "ours ÷ anchor", "target", "met"};
        List<String[]> cells = new ArrayList<>();
        cells.add(head);
        for (Row r : rows) {
            cells.add(new String[] {r.what(), r.figure(), r.p50(), r.p99(), r.cpu(), r.anchor(), r.ratio(), r.target(), r.met()});
        }
        int[] width = new int[head.length];
        for (String[] line : cells) {
            for (int k = 0; k < line.length; k++) {
                width[k] = Math.max(width[k], line[k].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (int n = 0; n < cells.size(); n++) {
            String[] line = cells.get(n);
            out.append('|');
            for (int k = 0; k < line.length; k++) {
                out.append(' ').append(String.format("%-" + width[k] + "s", line[k])).append(" |");
            }
            out.append('\n');
            if (n == 0) {
                out.append('|');
                for (int w : width) {
                    out.append("-".repeat(w + 2)).append('|');
                }
                out.append('\n');
            }
        }
        if (!notes.isEmpty()) {
            out.append('\n');
            notes.forEach(n -> out.append("- ").append(n).append('\n'));
        }
        return out.toString();
    }

    void write(Path file) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, render());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
