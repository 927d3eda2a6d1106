package dev.atpin.dashboard.usage;

import dev.atpin.accounts.AccountsConfig;
import dev.atpin.accounts.Limits;
import dev.atpin.accounts.Plans;
import dev.atpin.dashboard.DashboardConfig;
import dev.atpin.dashboard.Formats;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** What the overview shows of an account's usage: bars against the plan's quotas, the plan, and two charts. */
@ApplicationScoped
public class UsageView {

    /**
     * A quota bar.
     *
     * @param percent the used share of the quota, 0..100, as the bar's width
     * @param level   {@code ok}, {@code high} (from 80%) or {@code full}
     */
    public record Bar(String id, String label, String used, String limit, String share, String percent, String level) {}

    /** The account's plan and limits, in words. */
    public record Plan(String name, boolean suspended, String maxPins, String maxBytes, String maxPinSize,
            int replication, String rateLimit) {}

    /** Everything for the overview. */
    public record Usage(Plan plan, List<Bar> bars, List<UsageChart> charts) {}

    private final UsageSnapshots snapshots;
    private final Plans plans;
    private final AccountsConfig accounts;
    private final DashboardConfig config;
    private final Clock clock = Clock.systemUTC();

    UsageView(UsageSnapshots snapshots, Plans plans, AccountsConfig accounts, DashboardConfig config) {
        this.snapshots = snapshots;
        this.plans = plans;
        this.accounts = accounts;
        this.config = config;
    }

    public Usage of(String did) throws SQLException {
        Limits limits = plans.load(did);
        UsageSnapshots.Current now = snapshots.current(did);
        List<Bar> bars = List.of(
                bar("pins", "Pin requests", now.pins(), limits.maxPins(), Formats::count),
                bar("bytes", "Storage", now.bytes(), limits.maxBytes(), Formats::bytes));
        long window = accounts.rateWindow().toSeconds();
        Plan plan = new Plan(limits.plan(), limits.suspended(), Formats.count(limits.maxPins()),
                Formats.bytes(limits.maxBytes()), Formats.bytes(limits.maxPinSize()), limits.replication(),
                Formats.count(limits.rateLimit()) + " requests per " + (window % 60 == 0 && window >= 60
                        ? (window == 60 ? "minute" : window / 60 + " minutes") : window + " s") + " per token");
        return new Usage(plan, bars, charts(did, now));
    }

    private List<UsageChart> charts(String did, UsageSnapshots.Current now) throws SQLException {
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        LocalDate first = today.minusDays(Math.max(1, Math.min(config.usageChartDays(), 366)) - 1L);
        Map<LocalDate, UsageSnapshots.Day> byDay = snapshots.history(did, first.minusDays(config.usageHistoryDays()))
                .stream().collect(Collectors.toMap(UsageSnapshots.Day::day, Function.identity()));
        // a day without a snapshot kept the last value seen before it; today is the live value
        UsageSnapshots.Day last = byDay.values().stream().filter(d -> d.day().isBefore(first))
                .max(java.util.Comparator.comparing(UsageSnapshots.Day::day)).orElse(new UsageSnapshots.Day(first, 0, 0));
        List<LocalDate> days = new ArrayList<>();
        List<Long> pins = new ArrayList<>();
        List<Long> bytes = new ArrayList<>();
        for (LocalDate day = first; !day.isAfter(today); day = day.plusDays(1)) {
            last = day.equals(today) ? new UsageSnapshots.Day(today, now.pins(), now.bytes())
                    : byDay.getOrDefault(day, last);
            days.add(day);
            pins.add(last.pins());
            bytes.add(last.bytes());
        }
        return List.of(UsageChart.of("pins", "Pin requests", days, pins, Formats::count),
                UsageChart.of("bytes", "Storage", days, bytes, Formats::bytes));
    }

    private static Bar bar(String id, String label, long used, long limit, java.util.function.LongFunction<String> unit) {
        double share = limit <= 0 ? 1 : Math.min(1, (double) used / limit);
        String level = share >= 1 ? "full" : share >= 0.8 ? "high" : "ok";
        // a sliver stays visible for any usage at all
        double width = used > 0 ? Math.max(share * 100, 0.8) : 0;
        return new Bar(id, label, unit.apply(used), unit.apply(limit), Formats.percent(used, limit),
                String.format(java.util.Locale.ROOT, "%.1f", width), level);
    }
}
