package dev.atpin.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The rendezvous score placement ranks nodes by ({@code placement_score}, migration V11): a content keeps its
 * nodes when an unrelated node joins, and nodes take contents in proportion to their free space.
 */
@QuarkusTest
class RendezvousPlacementTest {

    private static final int CONTENTS = 4000;

    @Inject
    AgroalDataSource db;

    @Test
    void aJoiningNodeTakesContentsOnlyFromWhereItWinsAndNoContentMovesBetweenTheOthers() throws SQLException {
        Map<String, List<String>> before = topTwo(Map.of("a", 1.0, "b", 1.0, "c", 1.0));
        Map<String, List<String>> after = topTwo(Map.of("a", 1.0, "b", 1.0, "c", 1.0, "d", 1.0));
        int moved = 0;
        for (String cid : before.keySet()) {
            List<String> kept = after.get(cid).stream().filter(n -> !n.equals("d")).toList();
            // every node a content keeps was already one of its nodes: nothing moves between a, b and c
            assertThat(before.get(cid)).containsAll(kept);
            moved += after.get(cid).contains("d") ? 1 : 0;
        }
        // d wins a share of about 2/4 of the top-two slots' contents, not a reshuffle of everything
        assertThat(moved).isBetween(CONTENTS * 40 / 100, CONTENTS * 60 / 100);
    }

    @Test
    void nodesWinContentsInProportionToTheirFreeSpace() throws SQLException {
        Map<String, Integer> wins = new HashMap<>();
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("""
                        select (select n from unnest(array['big', 'small']) n
                                order by placement_score('bafy' || i, n, case n when 'big' then 3e12 else 1e12 end) desc
                                limit 1)
                        from generate_series(1, ?) i""")) {
            q.setInt(1, CONTENTS);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    wins.merge(rs.getString(1), 1, Integer::sum);
                }
            }
        }
        // weight 3 : 1 gives the big node about 3/4 of the contents
        assertThat(wins.get("big")).isBetween(CONTENTS * 70 / 100, CONTENTS * 80 / 100);
    }

    private Map<String, List<String>> topTwo(Map<String, Double> weights) throws SQLException {
        Map<String, List<String>> out = new HashMap<>();
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("""
                        select 'bafy' || i, (select array_agg(n order by s desc) from (
                                   select w.n, placement_score('bafy' || i, w.n, w.weight) s
                                   from unnest(?::text[], ?::float8[]) w(n, weight)
                                   order by s desc limit 2) top)
                        from generate_series(1, ?) i""")) {
            q.setArray(1, c.createArrayOf("text", weights.keySet().toArray()));
            q.setArray(2, c.createArrayOf("float8", weights.values().toArray()));
            q.setInt(3, CONTENTS);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), List.of((String[]) rs.getArray(2).getArray()));
                }
            }
        }
        return out;
    }
}
