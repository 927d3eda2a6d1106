package dev.atpin.dashboard.usage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atpin.dashboard.Formats;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class UsageChartTest {

    private static final LocalDate DAY = LocalDate.of(2026, 3, 1);

    @Test
    void theAxisEndsOnARoundNumberAboveTheLargestValue() {
        assertThat(UsageChart.niceCeiling(0)).isEqualTo(1);
        assertThat(UsageChart.niceCeiling(7)).isEqualTo(10);
        assertThat(UsageChart.niceCeiling(12)).isEqualTo(20);
        assertThat(UsageChart.niceCeiling(430)).isEqualTo(500);
        assertThat(UsageChart.niceCeiling(1000)).isEqualTo(1000);
    }

    @Test
    void valuesAreDrawnFromLeftToRightOnTheirScaleAndListedNewestFirst() {
        UsageChart chart = UsageChart.of("pins", "Pin requests", List.of(DAY, DAY.plusDays(1), DAY.plusDays(2)),
                List.of(0L, 5L, 10L), Formats::count);

        assertThat(chart.points()).extracting(UsageChart.Point::x).containsExactly("64.0", "346.0", "628.0");
        // 10 is the top of the axis, 0 its bottom
        assertThat(chart.points()).extracting(UsageChart.Point::y).containsExactly("172.0", "92.0", "12.0");
        assertThat(chart.line()).isEqualTo("M64.0 172.0 L346.0 92.0 L628.0 12.0");
        assertThat(chart.area()).endsWith("L628.0 172.0 L64.0 172.0 Z");
        assertThat(chart.grid()).extracting(UsageChart.Grid::label).containsExactly("0", "5", "10");
        assertThat(chart.ticks()).extracting(UsageChart.Tick::label).containsExactly("Mar 1", "Mar 2", "Mar 3");
        assertThat(chart.days()).extracting(UsageChart.Row::day).containsExactly("2026-03-03", "2026-03-02", "2026-03-01");
        assertThat(chart.summary()).isEqualTo("Pin requests over the last 3 days: 0 on Mar 1, 10 today.");
    }

    @Test
    void oneDayIsOnePointAndNoUsageIsAFlatLine() {
        UsageChart chart = UsageChart.of("bytes", "Storage", List.of(DAY), List.of(0L), Formats::bytes);

        assertThat(chart.points()).singleElement().satisfies(p -> assertThat(p.label()).isEqualTo("Mar 1: 0 B"));
        assertThat(chart.grid()).extracting(UsageChart.Grid::label).containsExactly("0 B", "0 B", "1 B");
    }
}
