package dev.atpin.dashboard;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The user dashboard ({@code atpin.dashboard.*}). */
@ConfigMapping(prefix = "atpin.dashboard")
public interface DashboardConfig {

    /** How often a page with pins in progress asks for their new state (htmx polling). */
    @WithDefault("2s")
    Duration liveInterval();

    /** Pin requests per page of the pins table. */
    @WithDefault("20")
    int pageSize();

    /** How often each account's usage is written into today's snapshot (one replica at a time does it). */
    @WithDefault("1h")
    Duration usageSnapshotInterval();

    /** Days of usage the chart shows. */
    @WithDefault("30")
    int usageChartDays();

    /** Daily usage snapshots older than this many days are deleted. */
    @WithDefault("400")
    int usageHistoryDays();
}
