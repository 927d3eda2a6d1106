package dev.atpin.pins;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atpin.auth.TokenService;
import dev.atpin.testing.Cids;
import dev.atpin.testing.Tenants;
import dev.atpin.testing.Tenants.Tenant;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Adds arriving together are committed together (ADR 0111): every 202 is a committed row that
 * reads back, quotas hold per tenant inside one group, and one tenant's refusal fails nobody else.
 */
@QuarkusTest
class GroupCommitTest {

    @Inject
    TokenService tokens;

    @Inject
    AgroalDataSource db;

    @Inject
    MeterRegistry metrics;

    // the meters exist once the first add was written (PinAdmissions is created on first use)
    private double addsInGroups() {
        var groups = metrics.find("atpin.pins.add.group.size").summary();
        return groups == null ? 0 : groups.totalAmount();
    }

    private double splitGroups() {
        var split = metrics.find("atpin.pins.add.group.fallbacks").counter();
        return split == null ? 0 : split.count();
    }

    private void override(String did, String column, long value) throws Exception {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("update account set " + column + " = ? where did = ?")) {
            q.setLong(1, value);
            q.setString(2, did);
            assertThat(q.executeUpdate()).isEqualTo(1);
        }
    }

    private record Added(Tenant tenant, Response response) {}

    @Test
    void concurrentAddsOfSeveralTenantsAreEachCommittedWithinTheirOwnQuota() throws Exception {
        Tenant small = Tenants.fresh(tokens);
        Tenant medium = Tenants.fresh(tokens);
        Tenant large = Tenants.fresh(tokens);
        override(small.did(), "max_pins", 5);
        override(medium.did(), "max_pins", 20);
        for (Tenant t : List.of(small, medium, large)) {
            override(t.did(), "rate_limit", 10_000);
        }
        String shared = Cids.unfetchable();
        double addsBefore = addsInGroups();
        double splitBefore = splitGroups();
        ExecutorService pool = Executors.newFixedThreadPool(24);
        List<Future<Added>> results = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            for (Tenant t : List.of(small, medium, large)) {
                // Every fifth add of each tenant wants the same content: groups mix new and known CIDs.
                String cid = i % 5 == 0 ? shared : Cids.unfetchable();
                results.add(pool.submit(() -> new Added(t, t.api().body(Map.of("cid", cid, "name", "g")).post("/psa/pins"))));
            }
        }
        Map<Tenant, List<String>> accepted = new java.util.HashMap<>();
        Map<Tenant, Integer> refused = new java.util.HashMap<>();
        for (Future<Added> f : results) {
            Added a = f.get();
            if (a.response().statusCode() == 202) {
                accepted.computeIfAbsent(a.tenant(), k -> new ArrayList<>()).add(a.response().path("requestid"));
            } else {
                assertThat(a.response().statusCode()).isEqualTo(409);
                assertThat(a.response().<String>path("error.reason")).isEqualTo("INSUFFICIENT_FUNDS");
                refused.merge(a.tenant(), 1, Integer::sum);
            }
        }
        pool.shutdown();
        assertThat(accepted.get(small)).hasSize(5);
        assertThat(accepted.get(medium)).hasSize(20);
        assertThat(accepted.get(large)).hasSize(30);
        assertThat(refused.get(small)).isEqualTo(25);
        assertThat(refused.get(medium)).isEqualTo(10);
        for (Map.Entry<Tenant, List<String>> e : accepted.entrySet()) {
            Set<String> created = new HashSet<>();
            for (String id : e.getValue()) {
                Response r = e.getKey().api().get("/psa/pins/" + id);
                assertThat(r.statusCode()).isEqualTo(200);
                created.add(r.path("created"));
            }
            assertThat(created).as("created is unique per tenant").hasSize(e.getValue().size());
        }
        assertThat(refcountOf(shared)).isEqualTo(sharedAccepted(shared));
        // every add, accepted or refused, was decided in exactly one committed group, and no group had to be split
        assertThat(addsInGroups() - addsBefore).isEqualTo(90);
        assertThat(splitGroups() - splitBefore).isZero();
    }

    private long refcountOf(String cid) throws Exception {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("select refcount from content where cid = ?")) {
            q.setString(1, dev.atpin.ipld.Cid.parse(cid).normalized());
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private long sharedAccepted(String cid) throws Exception {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("select count(*) from pin_request where cid = ? and failure is null")) {
            q.setString(1, dev.atpin.ipld.Cid.parse(cid).normalized());
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
