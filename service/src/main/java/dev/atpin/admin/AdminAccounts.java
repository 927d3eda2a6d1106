package dev.atpin.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atpin.accounts.Account;
import dev.atpin.accounts.Limits;
import dev.atpin.accounts.Plans;
import dev.atpin.api.ApiException;
import dev.atpin.operators.Operator;
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
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What operators do to accounts: find them with their usage, change plans and overrides, suspend and resume.
 *
 * <p>Every change locks the account's row, checks the version the operator saw (when given), writes only the
 * columns it changes, bumps the version and records itself in the audit log, all in one transaction. So a plan
 * change never writes the status back, and cannot undo a suspension that committed meanwhile.
 */
@ApplicationScoped
public class AdminAccounts {

    static final int MAX_REASON = 500;

    /** The overrides operators may set: API field → column, and the largest value kept. */
    private static final Map<String, Override> OVERRIDES = Map.of(
            "maxPins", new Override("max_pins", Long.MAX_VALUE),
            "maxBytes", new Override("max_bytes", Long.MAX_VALUE),
            "maxPinSize", new Override("max_pin_size", Long.MAX_VALUE),
            "replication", new Override("replication", 16),
            "rateLimit", new Override("rate_limit", 1_000_000));

    private record Override(String column, long cap) {}

    private final Plans plans;
    private final AgroalDataSource db;
    private final OperatorAudit audit;

    AdminAccounts(Plans plans, AgroalDataSource db, OperatorAudit audit) {
        this.plans = plans;
        this.db = db;
        this.audit = audit;
    }

    /** Accounts whose DID or handle contains {@code query}, in DID order, after {@code afterDid}. */
    @Transactional
    public List<AccountView> search(Optional<String> query, Optional<String> plan, Optional<String> status,
            Optional<String> afterDid, int limit) {
        StringBuilder where = new StringBuilder("where 1 = 1");
        List<Object> params = new ArrayList<>();
        query.ifPresent(q -> {
            where.append(" and (did ilike ? escape '\\' or handle ilike ? escape '\\')");
            String like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
            params.add(like);
            params.add(like);
        });
        plan.ifPresent(p -> {
            where.append(" and plan = ?");
            params.add(p);
        });
        status.ifPresent(s -> {
            where.append(" and status = ?");
            params.add(s);
        });
        afterDid.ifPresent(a -> {
            where.append(" and did > ?");
            params.add(a);
        });
        List<Account> accounts = Account.find(toHql(where.toString()) + " order by did", params.toArray())
                .page(0, limit).list();
        List<AccountView> out = new ArrayList<>();
        for (Account a : accounts) {
            out.add(view(a));
        }
        return out;
    }

    @Transactional
    public AccountView get(String did) {
        Account a = Account.findById(did);
        if (a == null) {
            throw ApiException.notFound("no account " + did);
        }
        return view(a);
    }

    /**
     * Changes the plan and overrides named in {@code patch} (absent: unchanged; JSON null: back to the plan's
     * value). Refused with 412 when {@code ifMatch} is given and the account has changed since.
     */
    @Transactional(rollbackOn = SQLException.class)
    public AccountView patch(String did, AccountPatch patch, OptionalLong ifMatch, Operator who) throws SQLException {
        Map<String, Object> wanted = validate(patch);
        try (Connection c = db.getConnection()) {
            Map<String, Object> before = lock(c, did, ifMatch);
            Map<String, Object> diff = new LinkedHashMap<>();
            List<String> sets = new ArrayList<>();
            List<Object> values = new ArrayList<>();
            for (Map.Entry<String, Object> e : wanted.entrySet()) {
                Object old = before.get(e.getKey());
                if (!Objects.equals(old, e.getValue())) {
                    diff.put(e.getKey(), change(old, e.getValue()));
                    sets.add(column(e.getKey()) + " = ?");
                    values.add(e.getValue());
                }
            }
            if (!diff.isEmpty()) {
                try (PreparedStatement q = c.prepareStatement("update account set " + String.join(", ", sets)
                        + ", version = version + 1 where did = ?")) {
                    for (int i = 0; i < values.size(); i++) {
                        q.setObject(i + 1, values.get(i));
                    }
                    q.setString(values.size() + 1, did);
                    q.executeUpdate();
                }
                audit.record(c, who, "account.change", did, null, diff);
            }
        }
        plans.forget(did);
        return get(did);
    }

    /** Suspends ({@code status} = suspended) or resumes (active) the account, with the operator's reason. */
    @Transactional(rollbackOn = SQLException.class)
    public AccountView setStatus(String did, String status, Optional<String> reason, OptionalLong ifMatch,
            Operator who) throws SQLException {
        String why = reason.map(String::strip).filter(r -> !r.isEmpty()).orElse(null);
        if (Account.SUSPENDED.equals(status) && why == null) {
            throw ApiException.badRequest("REASON_REQUIRED", "say why the account is suspended ('reason')");
        }
        if (why != null && why.length() > MAX_REASON) {
            throw ApiException.badRequest("REASON_TOO_LONG", "'reason' has at most " + MAX_REASON + " characters");
        }
        try (Connection c = db.getConnection()) {
            Map<String, Object> before = lock(c, did, ifMatch);
            try (PreparedStatement q = c.prepareStatement(
                    "update account set status = ?, status_reason = ?, version = version + 1 where did = ?")) {
                q.setString(1, status);
                q.setString(2, Account.SUSPENDED.equals(status) ? why : null);
                q.setString(3, did);
                q.executeUpdate();
            }
            audit.record(c, who, Account.SUSPENDED.equals(status) ? "account.suspend" : "account.resume", did, why,
                    Map.of("status", change(before.get("status"), status)));
        }
        plans.forget(did);
        return get(did);
    }

    /**
     * Locks the account's row (404 when there is none) and checks the version the caller saw (412 when it
     * changed since). Returns the values operators change, by API field name, and the status.
     */
    static Map<String, Object> lock(Connection c, String did, OptionalLong ifMatch) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("""
                select plan, max_pins, max_bytes, max_pin_size, replication, rate_limit, status, version
                from account where did = ? for update""")) {
            q.setString(1, did);
            try (ResultSet rs = q.executeQuery()) {
                if (!rs.next()) {
                    throw ApiException.notFound("no account " + did);
                }
                long version = rs.getLong(8);
                if (ifMatch.isPresent() && ifMatch.getAsLong() != version) {
                    throw new ApiException(ApiException.Kind.STALE, "VERSION_MISMATCH", "the account changed since version "
                            + ifMatch.getAsLong() + " (it is at version " + version + "): reload it and try again");
                }
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("plan", rs.getString(1));
                row.put("maxPins", rs.getObject(2));
                row.put("maxBytes", rs.getObject(3));
                row.put("maxPinSize", rs.getObject(4));
                row.put("replication", rs.getObject(5) == null ? null : ((Number) rs.getObject(5)).longValue());
                row.put("rateLimit", rs.getObject(6) == null ? null : ((Number) rs.getObject(6)).longValue());
                row.put("status", rs.getString(7));
                return row;
            }
        }
    }

    /** The fields of {@code patch} that are present, checked, by API field name (a null value removes an override). */
    private Map<String, Object> validate(AccountPatch patch) {
        Map<String, Object> wanted = new LinkedHashMap<>();
        if (patch.plan() != null) {
            if (!patch.plan().isTextual() || !plans.exists(patch.plan().asText())) {
                throw ApiException.badRequest("UNKNOWN_PLAN", "'plan' must be one of " + plans.names());
            }
            wanted.put("plan", patch.plan().asText());
        }
        override(wanted, "maxPins", patch.maxPins());
        override(wanted, "maxBytes", patch.maxBytes());
        override(wanted, "maxPinSize", patch.maxPinSize());
        override(wanted, "replication", patch.replication());
        override(wanted, "rateLimit", patch.rateLimit());
        return wanted;
    }

    private static void override(Map<String, Object> wanted, String field, JsonNode value) {
        if (value == null) {
            return;
        }
        if (value.isNull()) {
            wanted.put(field, null);
        } else if (value.isIntegralNumber() && value.canConvertToLong() && value.asLong() >= 0) {
            wanted.put(field, Math.min(value.asLong(), OVERRIDES.get(field).cap()));
        } else {
            throw ApiException.badRequest("INVALID_OVERRIDE", "'" + field + "' must be a non-negative integer or null");
        }
    }

    private static String column(String field) {
        return "plan".equals(field) ? "plan" : OVERRIDES.get(field).column();
    }

    private static Map<String, Object> change(Object from, Object to) {
        Map<String, Object> change = new LinkedHashMap<>();
        change.put("from", from);
        change.put("to", to);
        return change;
    }

    private AccountView view(Account a) {
        Limits limits = plans.of(a);
        Map<String, Object> effective = new LinkedHashMap<>();
        effective.put("maxPins", limits.maxPins());
        effective.put("maxBytes", limits.maxBytes());
        effective.put("maxPinSize", limits.maxPinSize());
        effective.put("replication", limits.replication());
        effective.put("rateLimit", limits.rateLimit());
        Map<String, Object> overrides = new LinkedHashMap<>();
        putIfSet(overrides, "maxPins", a.maxPins);
        putIfSet(overrides, "maxBytes", a.maxBytes);
        putIfSet(overrides, "maxPinSize", a.maxPinSize);
        putIfSet(overrides, "replication", a.replication);
        putIfSet(overrides, "rateLimit", a.rateLimit);
        Map<String, Long> byStatus = new LinkedHashMap<>();
        long pins = 0;
        long bytes = 0;
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("select status, pins, bytes from pin_status_usage where did = ? order by status")) {
            q.setString(1, a.did);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    if (rs.getLong(2) == 0) {
                        continue;
                    }
                    byStatus.put(rs.getString(1), rs.getLong(2));
                    pins += rs.getLong(2);
                    bytes += rs.getLong(3);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return new AccountView(a.did, a.handle, a.status, a.statusReason, limits.plan(), effective, overrides, byStatus,
                pins, bytes, a.createdAt == null ? null : a.createdAt.toString(), a.version);
    }

    private static void putIfSet(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }

    /** The WHERE built above uses JDBC-style placeholders; Panache wants numbered ones. */
    private static String toHql(String where) {
        StringBuilder out = new StringBuilder();
        int n = 1;
        for (char ch : where.toCharArray()) {
            if (ch == '?') {
                out.append('?').append(n++);
            } else {
                out.append(ch);
            }
        }
        return out.toString().replaceFirst("^where ", "");
    }
}
