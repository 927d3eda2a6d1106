package dev.atpin.loadtests.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The service's group-commit meters ({@code atpin.pins.add.group.*} on {@code /q/metrics}), read before and after
 * a POST scenario: how many adds each transaction carried, and how often a group was retried or split.
 */
record GroupCommit(double transactions, double adds, double retries, double fallbacks) {

    static GroupCommit read(String base) {
        String text;
        try {
            text = Processes.HTTP.send(HttpRequest.newBuilder(URI.create(base + "/q/metrics")).timeout(Duration.ofSeconds(10))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new IllegalStateException("could not read the service's metrics", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return new GroupCommit(value(text, "atpin_pins_add_group_size_count"), value(text, "atpin_pins_add_group_size_sum"),
                value(text, "atpin_pins_add_group_retries_total"), value(text, "atpin_pins_add_group_fallbacks_total"));
    }

    /** The sample of a meter without labels, 0 when the service has not reported it yet. */
    private static double value(String text, String name) {
        return text.lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    GroupCommit minus(GroupCommit earlier) {
        return new GroupCommit(transactions - earlier.transactions, adds - earlier.adds, retries - earlier.retries,
                fallbacks - earlier.fallbacks);
    }

    @Override
    public String toString() {
        return String.format("%,.0f transactions, %.1f adds each on average, %,.0f retried after a conflict, %,.0f split add by add",
                transactions, transactions == 0 ? 0 : adds / transactions, retries, fallbacks);
    }
}
