package dev.atpin.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atpin.operators.Operator;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The audit log of operator changes ({@code operator_audit}): every change is written on the connection, and so
 * in the transaction, of the change itself, so that neither exists without the other.
 */
@ApplicationScoped
public class OperatorAudit {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    /** One entry: who ({@code operator}, {@code via}), when ({@code at}), what ({@code action} on {@code target}). */
    public record Entry(long id, String at, String operator, String operatorSubject, String via, String action,
            String target, String reason, Map<String, Object> details) {}

    private final AgroalDataSource db;

    OperatorAudit(AgroalDataSource db) {
        this.db = db;
    }

    /** Records a change on {@code c}, the connection that makes it. */
    public void record(Connection c, Operator who, String action, String target, String reason,
            Map<String, ?> details) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("""
                insert into operator_audit (operator, operator_subject, via, action, target, reason, details)
                values (?, ?, ?, ?, ?, ?, ?::jsonb)""")) {
            q.setString(1, who.name());
            q.setString(2, who.subject());
            q.setString(3, who.via().db());
            q.setString(4, action);
            q.setString(5, target);
            q.setString(6, reason);
            q.setString(7, JSON.writeValueAsString(details));
            q.executeUpdate();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("audit details must be JSON", e);
        }
    }

    /** The newest entries first, about {@code target} when given, older than entry {@code beforeId} when given. */
    @Transactional(rollbackOn = SQLException.class)
    public List<Entry> list(Optional<String> target, OptionalLong beforeId, int limit) throws SQLException {
        List<Entry> out = new ArrayList<>();
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("""
                        select id, to_char(at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), operator,
                               operator_subject, via, action, target, reason, details::text
                        from operator_audit
                        where (cast(? as text) is null or target = ?) and (cast(? as bigint) is null or id < ?)
                        order by id desc limit ?""")) {
            q.setString(1, target.orElse(null));
            q.setString(2, target.orElse(null));
            q.setObject(3, beforeId.isPresent() ? beforeId.getAsLong() : null, java.sql.Types.BIGINT);
            q.setObject(4, beforeId.isPresent() ? beforeId.getAsLong() : null, java.sql.Types.BIGINT);
            q.setInt(5, limit);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(new Entry(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getString(6), rs.getString(7), rs.getString(8), parse(rs.getString(9))));
                }
            }
        }
        return out;
    }

    private static Map<String, Object> parse(String json) {
        try {
            return JSON.readValue(json, MAP);
        } catch (JsonProcessingException e) {
            return Map.of();
        }
    }
}
