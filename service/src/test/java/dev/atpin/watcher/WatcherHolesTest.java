package dev.atpin.watcher;

import dev.atpin.api.ApiExceptionMapper;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.atpin.identity.Did;
import dev.atpin.identity.IdentityResolver;
import dev.atpin.identity.ResolvedIdentity;
import dev.atpin.ipld.DagCbor;
import dev.atpin.ipld.FirehoseFrame;
import dev.atpin.testing.Tenants;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The watcher read as an attacker would: poison frames, many upstreams, enrollment floods, buffer floods. */
@QuarkusTest
class WatcherHolesTest extends WatcherTestSupport {

    @Inject
    FirehoseHandler handler;

    @Inject
    Resyncer resyncer;

    @Inject
    Enrollments enrollments;

    @Inject
    WatcherConfig config;

    @Inject
    IdentityResolver identity;

    private final List<String> fakeRepos = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        resyncer.resume();
        supervisor.resume();
        try (Connection c = sql(); PreparedStatement q = c.prepareStatement("delete from account where did = ?")) {
            for (String did : fakeRepos) {
                q.setString(1, did);
                q.executeUpdate();
            }
        }
        handler.refreshNow();
    }

    private static Connection sql() throws Exception {
        return DriverManager.getConnection(System.getProperty("atpin.test.jdbc-url"), "postgres", "postgres");
    }

    @Test
    void aFrameThatFailsToApplyIsQuarantinedAndTheStreamGoesOn() throws Exception {
        User user = consentingUser();
        enroll(user);
        resyncer.pause();
        // A #commit of an enrolled repo without its rev: decodable as a frame, not applicable as a commit.
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("op", 1L);
        header.put("t", "#commit");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("seq", 987_654_321L);
        body.put("repo", user.did());
        body.put("time", Instant.now().toString());
        byte[] poison = concat(DagCbor.encode(header), DagCbor.encode(body));

        handler.handle("test", FirehoseFrame.parse(poison), poison); // before: threw, and the consumer replayed it forever

        try (Connection c = sql(); PreparedStatement q = c.prepareStatement(
                "select reason, upstream from quarantined_event where did = ? and seq = 987654321")) {
            q.setString(1, user.did());
            try (ResultSet rs = q.executeQuery()) {
                assertThat(rs.next()).as("quarantined").isTrue();
                assertThat(rs.getString(1)).contains("rev");
                assertThat(rs.getString(2)).isEqualTo("test");
            }
        }
        WatchedRepo repo = repos.find(user.did()).orElseThrow();
        assertThat(repo.state()).isEqualTo(RepoState.DESYNCHRONIZED);
        assertThat(repo.lastError()).contains("quarantined");
        // The repo resyncs, and its live events are applied again.
        resyncer.resume();
        await().atMost(SOON).until(() -> repos.find(user.did()).orElseThrow().state() == RepoState.ACTIVE);
        String cid = content();
        putPinRecord(user, cid, "after the poison");
        await().atMost(SOON).until(() -> "pinned".equals(statusOf(user, cid)));
    }

    @Test
    void followingManyUpstreamsTakesOneConnectionAndNewHostsStopAtTheBound() throws Exception {
        long present = repos.totals().upstreams();
        int toAdd = (int) Math.max(20, config.maxUpstreams() - present);
        try (Connection c = sql()) {
            for (int i = 0; i < toAdd; i++) {
                String did = "did:plc:upstream" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
                fakeRepos.add(did);
                try (PreparedStatement a = c.prepareStatement("insert into account (did) values (?)");
                        PreparedStatement w = c.prepareStatement("""
                                insert into watched_repo (did, pds_url, state, retry_after)
                                values (?, ?, 'error', now() + interval '1 day')""")) {
                    a.setString(1, did);
                    a.executeUpdate();
                    w.setString(1, did);
                    // a closed port: the consumers keep reconnecting, which is what a dead PDS looks like
                    w.setString(2, "http://127.0.0.1:9/pds-" + i);
                    w.executeUpdate();
                }
            }
        }
        handler.refreshNow();
        await().atMost(Duration.ofSeconds(30)).until(() -> supervisor.following().size() >= 20);
        try (Connection c = sql(); PreparedStatement q = c.prepareStatement(
                "select count(distinct pid) from pg_locks where locktype = 'advisory' and granted")) {
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1)).as("sessions holding firehose locks for %d upstreams",
                        supervisor.following().size()).isLessThanOrEqualTo(1);
            }
        }
        assertThat(supervisor.lockConnections()).isLessThanOrEqualTo(1);
        assertThat(supervisor.following().size()).isLessThanOrEqualTo(config.maxUpstreams());

        // At the bound, a repo on yet another host is refused; one on a followed host is not.
        assertThat(repos.totals().upstreams()).isGreaterThanOrEqualTo(config.maxUpstreams());
        String newcomer = fakeRepos.getFirst();
        assertThatThrownBy(() -> enrollments.refuseBeyondBounds("did:plc:newcomeraaaaaaaaaaaaaaaa",
                "http://127.0.0.1:9/another-host"))
                .isInstanceOf(EnrollmentRefused.class).hasMessageContaining("PDS hosts")
                .satisfies(e -> assertThat(ApiExceptionMapper.statusOf(((EnrollmentRefused) e).kind())).isEqualTo(503));
        enrollments.refuseBeyondBounds(newcomer, "http://127.0.0.1:9/pds-0");
    }

    @Test
    void anUnresolvableDidIsAClearClientError() {
        Tenants.Tenant nobody = Tenants.fresh(tokens); // a DID no PLC knows
        nobody.api().post("/api/v1/watcher/enrollment").then().statusCode(422)
                .body("error.reason", equalTo("UNRESOLVABLE_DID"));
    }

    @Test
    void anAccountCanOnlyEnrollSoOften() {
        User user = consentingUser();
        for (int i = 0; i < config.enrollmentsPerWindow(); i++) {
            user.api().post("/api/v1/watcher/enrollment").then().statusCode(202);
        }
        user.api().post("/api/v1/watcher/enrollment").then().statusCode(429)
                .header("Retry-After", org.hamcrest.Matchers.notNullValue())
                .body("error.reason", equalTo("TOO_MANY_ENROLLMENTS"));
        await().atMost(SOON).until(() -> "active".equals(user.api().get("/api/v1/watcher/status").path("state")));
    }

    @Test
    void aResyncWhoseBufferOverflowedResyncsAgainInsteadOfReplayingAHole() throws Exception {
        User user = consentingUser();
        enroll(user);
        resyncer.pause();
        supervisor.pause();
        try (Connection c = sql(); PreparedStatement q = c.prepareStatement(
                "update watched_repo set state = 'resyncing' where did = ?")) {
            q.setString(1, user.did());
            q.executeUpdate();
        }
        assertThat(repos.buffer(user.did(), 1, new byte[100], 1, 1 << 20)).isTrue();
        assertThat(repos.buffer(user.did(), 2, new byte[100], 1, 1 << 20)).as("over the bound").isFalse();
        assertThat(repos.bufferOverflowed(user.did())).isTrue();

        ResolvedIdentity who = identity.refresh(new Did(user.did()));
        resyncer.reconcile(user.did(), who.pds().toString(), who.signingKey(), resyncer.fetch(who));

        WatchedRepo repo = repos.find(user.did()).orElseThrow();
        assertThat(repo.state()).isEqualTo(RepoState.DESYNCHRONIZED);
        assertThat(repo.lastError()).contains("more events arrived during the resync than the buffer holds");
        assertThat(repos.bufferedSeqs(user.did())).isEmpty();
        assertThat(repos.bufferOverflowed(user.did())).isFalse();
        resyncer.resume();
        await().atMost(SOON).until(() -> repos.find(user.did()).orElseThrow().state() == RepoState.ACTIVE);
    }

    @Test
    void aCommitIsCheckedAgainstTheDidDocumentBeforeItsRepoRowIsLocked() throws Exception {
        User user = consentingUser();
        enroll(user);
        String cid = content();
        putPinRecord(user, cid, "checked first");
        await().atMost(SOON).until(() -> "pinned".equals(statusOf(user, cid)));
        byte[] frame = FrameTap.commitFrame(pds.pdsUrl(), user.did(), PIN + "/" + dev.atpin.ipld.Cid.parse(cid).normalized());
        try (Connection holder = sql()) {
            holder.setAutoCommit(false);
            try (PreparedStatement lock = holder.prepareStatement("select 1 from watched_repo where did = ? for update")) {
                lock.setString(1, user.did());
                lock.executeQuery().close();
            }
            double checkedBefore = metrics.counter("atpin.watcher.commits.checked").count();
            java.util.concurrent.CompletableFuture<Void> handled = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    handler.handle("test", FirehoseFrame.parse(frame), frame);
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> waitsForTheRepoRow());
            // It waits for the row with the signature (and any DID lookup it needed) already behind it.
            assertThat(metrics.counter("atpin.watcher.commits.checked").count()).isGreaterThan(checkedBefore);
            holder.commit();
            handled.get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
        assertThat(repos.find(user.did()).orElseThrow().state()).isEqualTo(RepoState.ACTIVE);
    }

    private static boolean waitsForTheRepoRow() throws Exception {
        try (Connection c = sql(); PreparedStatement q = c.prepareStatement("""
                select count(*) from pg_stat_activity
                where wait_event_type = 'Lock' and query ilike '%from watched_repo%for update%'""")) {
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getInt(1) > 0;
            }
        }
    }

    @Inject
    io.micrometer.core.instrument.MeterRegistry metrics;

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
