package dev.atpin.accounts;

import dev.atpin.api.ApiException;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The limits around the write path, decided under the account's row lock so that no amount of
 * concurrency lets a tenant exceed them: the pin count at admission, bytes once a DAG's size is known.
 *
 * <p>Every method runs on the caller's connection, inside the caller's transaction.
 */
@ApplicationScoped
public class Quotas {

    private final Plans plans;
    private final MeterRegistry metrics;

    Quotas(Plans plans, MeterRegistry metrics) {
        this.plans = plans;
        this.metrics = metrics;
    }

    /**
     * Admits one more request for {@code did} (or a replacement, which keeps the count): 403 when
     * the account is suspended, 409 when its pin count quota is reached. Locks the account row.
     */
    public Limits admit(Connection c, String did, boolean replacing) throws SQLException {
        Tenant tenant = new Tenant(did, lock(c, did), livePins(c, did));
        if (replacing) {
            tenant.refuseIfSuspended();
        } else {
            tenant.admitOne().ifPresent(refusal -> {
                throw refusal;
            });
        }
        return tenant.limits();
    }

    /**
     * Locks the accounts of {@code dids} in DID order (the order every writer uses) with their live
     * pin counts, in one statement: the start of a group commit of adds (see {@code PinAdmissions}).
     */
    public Map<String, Tenant> lockAll(Connection c, java.util.Collection<String> dids) throws SQLException {
        Map<String, Limits> locked = new LinkedHashMap<>();
        java.sql.Array sorted = c.createArrayOf("text", dids.stream().sorted().toArray());
        try (PreparedStatement q = c.prepareStatement("""
                select did, plan, status, max_pins, max_bytes, max_pin_size, replication, rate_limit
                from account where did = any(?) order by did for no key update""")) {
            q.setArray(1, sorted);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    locked.put(rs.getString(1), plans.resolve(rs.getString(2), rs.getString(3), (Long) rs.getObject(4),
                            (Long) rs.getObject(5), (Long) rs.getObject(6), (Integer) rs.getObject(7), (Integer) rs.getObject(8)));
                }
            }
        }
        // Counted by a statement of its own, after the locks: a statement that waited for a lock
        // sees the locked row anew, but not the rows it joined (they would be as of before the wait).
        Map<String, Long> pins = new java.util.HashMap<>();
        try (PreparedStatement q = c.prepareStatement("select did, pins from account_usage where did = any(?)")) {
            q.setArray(1, sorted);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    pins.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        Map<String, Tenant> out = new LinkedHashMap<>();
        for (String did : dids) {
            Limits limits = locked.get(did);
            if (limits == null) {
                throw new IllegalStateException("no account row for " + did);
            }
            out.put(did, new Tenant(did, limits, pins.getOrDefault(did, 0L)));
        }
        return out;
    }

    /** A locked account and its live pin count, admitting new requests one by one. */
    public final class Tenant {
        private final String did;
        private final Limits limits;
        private long pins;

        Tenant(String did, Limits limits, long pins) {
            this.did = did;
            this.limits = limits;
            this.pins = pins;
        }

        public Limits limits() {
            return limits;
        }

        /** Counts one more request, or says why it is refused (403 suspended, 409 pin count quota). */
        public Optional<ApiException> admitOne() {
            if (limits.suspended()) {
                return Optional.of(suspended());
            }
            if (pins + 1 > limits.maxPins()) {
                metrics.counter("atpin.quota.rejections", "limit", "pins", "plan", limits.plan()).increment();
                return Optional.of(new QuotaExceeded("pin count quota reached: " + pins + " of " + limits.maxPins()
                        + " pin requests (plan " + limits.plan() + "); delete some or upgrade the plan"));
            }
            pins++;
            return Optional.empty();
        }

        void refuseIfSuspended() {
            if (limits.suspended()) {
                throw suspended();
            }
        }

        @Override
        public String toString() {
            return "Tenant[" + did + "]";
        }
    }

    private static ApiException suspended() {
        return ApiException.forbidden("ACCOUNT_SUSPENDED",
                "this account is suspended: existing pins are kept and can be read, but not changed");
    }

    /** Refuses writes of a suspended account without taking any lock (for deletes). */
    public void requireActive(Connection c, String did) throws SQLException {
        if (lock(c, did).suspended()) {
            throw suspended();
        }
    }

    /**
     * The most bytes any request still to be charged for {@code cid} may use: the largest of its
     * tenants' allowances (the plan's max pin size, capped by the bytes the tenant has left).
     * Empty when no request is waiting to be charged.
     */
    public OptionalLong largestAllowance(Connection c, String cid) throws SQLException {
        OptionalLong best = OptionalLong.empty();
        for (String did : unchargedTenants(c, cid)) {
            Limits limits = read(c, did, false);
            long allowance = Math.min(limits.maxPinSize(), Math.max(0, limits.maxBytes() - usedBytes(c, did)));
            if (best.isEmpty() || allowance > best.getAsLong()) {
                best = OptionalLong.of(allowance);
            }
        }
        return best;
    }

    /**
     * Charges each request for {@code cid} not charged yet {@code size} bytes against its tenant,
     * or fails the request with the limit it hits.
     *
     * <p>Locks in the order every writer uses: the tenants' accounts (in DID order), then the
     * content, then its requests. Anything else can deadlock with concurrent adds.
     *
     * @return whether any live request for the content is charged, i.e. it should be pinned
     */
    public boolean charge(Connection c, String cid, long size) throws SQLException {
        Map<String, Limits> tenants = new LinkedHashMap<>();
        for (String did : unchargedTenants(c, cid)) {
            tenants.put(did, lock(c, did));
        }
        lockContent(c, cid);
        Map<String, Long> used = new LinkedHashMap<>();
        try (PreparedStatement q = c.prepareStatement("""
                select id::text, did from pin_request where cid = ? and charged_bytes is null and failure is null
                order by did, created for update""")) {
            q.setString(1, cid);
            List<String[]> rows = new ArrayList<>();
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    rows.add(new String[] {rs.getString(1), rs.getString(2)});
                }
            }
            for (String[] row : rows) {
                Limits limits = tenants.get(row[1]);
                if (limits == null) {
                    continue; // arrived after we looked: its own add charges it
                }
                long before = used.computeIfAbsent(row[1], did -> usedBytesUnchecked(c, did));
                if (chargeOrFail(c, row[0], limits, before, size)) {
                    used.put(row[1], before + size);
                }
            }
        }
        try (PreparedStatement any = c.prepareStatement(
                "select exists (select 1 from pin_request where cid = ? and charged_bytes is not null)")) {
            any.setString(1, cid);
            try (ResultSet rs = any.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /**
     * Charges one new request of {@code did} for content of known size. The caller holds the
     * account's lock (from {@link #admit}) and the content's.
     */
    public void chargeNew(Connection c, String did, java.util.UUID requestId, long size) throws SQLException {
        chargeOrFail(c, requestId.toString(), read(c, did, false), usedBytes(c, did), size);
    }

    /** @return true when charged, false when the request failed on a limit */
    private boolean chargeOrFail(Connection c, String id, Limits limits, long used, long size) throws SQLException {
        if (size > limits.maxPinSize()) {
            fail(c, id, limits, "pin size limit: the DAG is " + size + " bytes, the plan " + limits.plan()
                    + " allows " + limits.maxPinSize() + " bytes per pin");
            return false;
        }
        if (used + size > limits.maxBytes()) {
            fail(c, id, limits, "storage quota: the DAG is " + size + " bytes and " + Math.max(0, limits.maxBytes() - used)
                    + " of " + limits.maxBytes() + " bytes are left (plan " + limits.plan() + ")");
            return false;
        }
        try (PreparedStatement ok = c.prepareStatement("update pin_request set charged_bytes = ? where id = ?::uuid")) {
            ok.setLong(1, size);
            ok.setString(2, id);
            ok.executeUpdate();
        }
        return true;
    }

    private static void lockContent(Connection c, String cid) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("select 1 from content where cid = ? for update")) {
            q.setString(1, cid);
            q.executeQuery().close();
        }
    }

    private static long usedBytesUnchecked(Connection c, String did) {
        try {
            return usedBytes(c, did);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The DAG is larger than any waiting request may pin: each of them fails with its own limit. */
    public void refuseTooLarge(Connection c, String cid, long atLeast) throws SQLException {
        Map<String, Limits> tenants = new LinkedHashMap<>();
        for (String did : unchargedTenants(c, cid)) {
            tenants.put(did, lock(c, did));
        }
        lockContent(c, cid);
        for (Map.Entry<String, Limits> tenant : tenants.entrySet()) {
            Limits limits = tenant.getValue();
            long left = Math.max(0, limits.maxBytes() - usedBytes(c, tenant.getKey()));
            String details = atLeast > limits.maxPinSize()
                    ? "pin size limit: the DAG is larger than the " + limits.maxPinSize()
                            + " bytes the plan " + limits.plan() + " allows per pin"
                    : "storage quota: the DAG is larger than the " + left + " bytes left of " + limits.maxBytes()
                            + " (plan " + limits.plan() + ")";
            List<String> ids = new ArrayList<>();
            try (PreparedStatement q = c.prepareStatement("""
                    select id::text from pin_request
                    where cid = ? and did = ? and charged_bytes is null and failure is null
                    order by created for update""")) {
                q.setString(1, cid);
                q.setString(2, tenant.getKey());
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getString(1));
                    }
                }
            }
            for (String id : ids) {
                fail(c, id, limits, details);
            }
        }
    }

    /** A request over its limits fails on its own and stops wanting the content (it pays for nothing). */
    private void fail(Connection c, String id, Limits limits, String details) throws SQLException {
        metrics.counter("atpin.quota.rejections", "limit", "bytes", "plan", limits.plan()).increment();
        try (PreparedStatement q = c.prepareStatement("""
                with failed as (
                    update pin_request set failure = ?, status = 'failed' where id = ?::uuid returning cid)
                update content set refcount = refcount - 1,
                       released_at = case when refcount = 1 then now() else released_at end
                where cid = (select cid from failed) and refcount > 0""")) {
            q.setString(1, details);
            q.setString(2, id);
            q.executeUpdate();
        }
    }

    private List<String> unchargedTenants(Connection c, String cid) throws SQLException {
        List<String> dids = new ArrayList<>();
        try (PreparedStatement q = c.prepareStatement(
                "select distinct did from pin_request where cid = ? and charged_bytes is null and failure is null order by did")) {
            q.setString(1, cid);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    dids.add(rs.getString(1));
                }
            }
        }
        return dids;
    }

    private Limits lock(Connection c, String did) throws SQLException {
        return read(c, did, true);
    }

    private Limits read(Connection c, String did, boolean forUpdate) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("""
                select plan, status, max_pins, max_bytes, max_pin_size, replication, rate_limit
                from account where did = ?""" + (forUpdate ? " for no key update" : ""))) {
            q.setString(1, did);
            try (ResultSet rs = q.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("no account row for " + did);
                }
                return plans.resolve(rs.getString(1), rs.getString(2), (Long) rs.getObject(3), (Long) rs.getObject(4),
                        (Long) rs.getObject(5), (Integer) rs.getObject(6), (Integer) rs.getObject(7));
            }
        }
    }

    private static long livePins(Connection c, String did) throws SQLException {
        return sum(c, "select coalesce(sum(pins), 0) from account_usage where did = ?", did);
    }

    private static long usedBytes(Connection c, String did) throws SQLException {
        return sum(c, "select coalesce(sum(bytes), 0) from account_usage where did = ?", did);
    }

    private static long sum(Connection c, String sql, String did) throws SQLException {
        try (PreparedStatement q = c.prepareStatement(sql)) {
            q.setString(1, did);
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
