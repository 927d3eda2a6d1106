package dev.atpin.admin;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The repo watcher as operators see it: each upstream (a relay, or a user's PDS) with the replica that follows
 * it, its saved cursor and how long ago its last event was applied; and the repos that need attention.
 *
 * <p>Which replica follows an upstream is whoever holds its advisory lock ({@code watcher.FirehoseSupervisor});
 * it is read from {@code pg_locks}, named by the holder's connection ({@code application_name}, address).
 */
@ApplicationScoped
public class WatcherOverview {

    public record Upstream(String upstream, Long cursor, String cursorSavedAt, String leader,
            Map<String, Long> reposByState, Long lastEventSecondsAgo) {}

    public record TroubledRepo(String did, String state, String pds, int attempts, String lastError,
            String retryAfter, String updatedAt) {}

    public record Overview(List<Upstream> upstreams, List<TroubledRepo> troubled) {}

    private final AgroalDataSource db;

    WatcherOverview(AgroalDataSource db) {
        this.db = db;
    }

    @Transactional(rollbackOn = SQLException.class)
    public Overview overview(int troubledLimit) throws SQLException {
        try (Connection c = db.getConnection()) {
            return new Overview(upstreams(c), troubled(c, troubledLimit));
        }
    }

    private static List<Upstream> upstreams(Connection c) throws SQLException {
        List<Upstream> out = new ArrayList<>();
        try (PreparedStatement q = c.prepareStatement("""
                with ups as (
                    select upstream from firehose_cursor
                    union
                    select rtrim(pds_url, '/') from watched_repo where pds_url is not null and state <> 'unenrolled'
                )
                select u.upstream, fc.seq, to_char(fc.updated_at at time zone 'UTC', %s),
                       (select coalesce(nullif(a.application_name, ''), 'connection')
                               || coalesce(' from ' || host(a.client_addr), '') || ' (pid ' || a.pid || ')'
                        from pg_locks l join pg_stat_activity a on a.pid = l.pid
                        where l.locktype = 'advisory' and l.granted and l.objsubid = 1
                          and ((l.classid::bigint << 32) | l.objid::bigint)
                              = hashtextextended('atpin-firehose:' || u.upstream, 7)
                        limit 1),
                       (select extract(epoch from now() - max(r.last_event_time))::bigint
                        from watched_repo r where rtrim(r.pds_url, '/') = u.upstream)
                from ups u left join firehose_cursor fc on fc.upstream = u.upstream
                order by u.upstream""".formatted(QueueOverview.ISO));
                ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                out.add(new Upstream(rs.getString(1), (Long) rs.getObject(2), rs.getString(3), rs.getString(4),
                        new LinkedHashMap<>(), (Long) rs.getObject(5)));
            }
        }
        try (PreparedStatement q = c.prepareStatement("""
                select rtrim(pds_url, '/'), state, count(*) from watched_repo
                where pds_url is not null group by 1, 2 order by 1, 2""");
                ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                for (Upstream u : out) {
                    if (u.upstream().equals(rs.getString(1))) {
                        u.reposByState().put(rs.getString(2), rs.getLong(3));
                    }
                }
            }
        }
        return out;
    }

    private static List<TroubledRepo> troubled(Connection c, int limit) throws SQLException {
        List<TroubledRepo> out = new ArrayList<>();
        try (PreparedStatement q = c.prepareStatement("""
                select did, state, pds_url, attempts, last_error, to_char(retry_after at time zone 'UTC', %s),
                       to_char(updated_at at time zone 'UTC', %s)
                from watched_repo where state in ('desynchronized', 'error', 'resyncing', 'pending')
                order by case state when 'error' then 0 when 'desynchronized' then 1 else 2 end, updated_at
                limit ?""".formatted(QueueOverview.ISO, QueueOverview.ISO))) {
            q.setInt(1, limit);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(new TroubledRepo(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                            rs.getString(5), rs.getString(6), rs.getString(7)));
                }
            }
        }
        return out;
    }
}
