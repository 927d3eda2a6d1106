package dev.atpin.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atpin.accounts.Account;
import dev.atpin.accounts.Limits;
import dev.atpin.accounts.Plans;
import dev.atpin.api.ApiException;
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
import java.util.Optional;
import java.util.function.Consumer;

/** What operators do to accounts: find them with their usage, change plans and overrides, suspend. */
@ApplicationScoped
public class AdminAccounts {

    private final Plans plans;
    private final AgroalDataSource db;

    AdminAccounts(Plans plans, AgroalDataSource db) {
        this.plans = plans;
        this.db = db;
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
        return view(find(did));
    }

    @Transactional
    public AccountView patch(String did, AccountPatch patch) {
        Account a = find(did);
        if (patch.plan() != null) {
            if (!patch.plan().isTextual() || !plans.exists(patch.plan().asText())) {
                throw ApiException.badRequest("UNKNOWN_PLAN", "'plan' must be one of " + plans.names());
            }
            a.plan = patch.plan().asText();
        }
        setLong(patch.maxPins(), "maxPins", v -> a.maxPins = v);
        setLong(patch.maxBytes(), "maxBytes", v -> a.maxBytes = v);
        setLong(patch.maxPinSize(), "maxPinSize", v -> a.maxPinSize = v);
        setLong(patch.replication(), "replication", v -> a.replication = v == null ? null : Math.toIntExact(Math.min(v, 16)));
        setLong(patch.rateLimit(), "rateLimit", v -> a.rateLimit = v == null ? null : Math.toIntExact(Math.min(v, 1_000_000)));
        plans.forget(did);
        return view(a);
    }

    @Transactional
    public AccountView setStatus(String did, String status, String reason) {
        Account a = find(did);
        a.status = status;
        a.statusReason = reason;
        plans.forget(did);
        return view(a);
    }

    private static void setLong(JsonNode value, String field, Consumer<Long> setter) {
        if (value == null) {
            return;
        }
        if (value.isNull()) {
            setter.accept(null);
        } else if (value.canConvertToLong() && value.isIntegralNumber() && value.asLong() >= 0) {
            setter.accept(value.asLong());
        } else {
            throw ApiException.badRequest("INVALID_OVERRIDE", "'" + field + "' must be a non-negative integer or null");
        }
    }

    private static Account find(String did) {
        Account a = Account.findById(did);
        if (a == null) {
            throw ApiException.notFound("no account " + did);
        }
        return a;
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
                    byStatus.put(rs.getString(1), rs.getLong(2));
                    pins += rs.getLong(2);
                    bytes += rs.getLong(3);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return new AccountView(a.did, a.handle, a.status, a.statusReason, limits.plan(), effective, overrides, byStatus,
                pins, bytes, a.createdAt == null ? null : a.createdAt.toString());
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
