package dev.atpin.admin;

import dev.atpin.accounts.Plans;
import dev.atpin.api.ApiException;
import dev.atpin.auth.TokenService;
import dev.atpin.dispatch.ContentLedger;
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
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Deletes an account with everything it has: its pin requests (their content is released, and unpinned after
 * {@code atpin.dispatch.unpin-grace} unless another tenant still wants it), its tokens, its watched repo, its
 * dashboard sessions. One transaction, audited; the audit trail itself stays.
 */
@ApplicationScoped
public class AccountDeletion {

    private static final Logger LOG = Logger.getLogger(AccountDeletion.class);

    /** What went with the account. */
    public record Deleted(String did, int pins, int tokens) {}

    private final AgroalDataSource db;
    private final ContentLedger ledger;
    private final TokenService tokens;
    private final Plans plans;
    private final OperatorAudit audit;

    AccountDeletion(AgroalDataSource db, ContentLedger ledger, TokenService tokens, Plans plans, OperatorAudit audit) {
        this.db = db;
        this.ledger = ledger;
        this.tokens = tokens;
        this.plans = plans;
        this.audit = audit;
    }

    @Transactional(rollbackOn = SQLException.class)
    public Deleted delete(String did, Optional<String> reason, OptionalLong ifMatch, Operator who) throws SQLException {
        String why = reason.map(String::strip).filter(r -> !r.isEmpty()).orElseThrow(() ->
                ApiException.badRequest("REASON_REQUIRED", "say why the account is deleted ('reason')"));
        if (why.length() > AdminAccounts.MAX_REASON) {
            throw ApiException.badRequest("REASON_TOO_LONG", "'reason' has at most " + AdminAccounts.MAX_REASON + " characters");
        }
        int pins = 0;
        List<UUID> tokenIds = new ArrayList<>();
        try (Connection c = db.getConnection()) {
            // The account's row lock is what every write of this tenant takes first: none runs meanwhile.
            AdminAccounts.lock(c, did, ifMatch);
            try (PreparedStatement q = c.prepareStatement(
                    "delete from pin_request where did = ? returning cid, failure is null")) {
                q.setString(1, did);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        pins++;
                        // a request that failed on its own quota holds no reference to its content
                        if (rs.getBoolean(2)) {
                            ledger.release(rs.getString(1));
                        }
                    }
                }
            }
            try (PreparedStatement q = c.prepareStatement("select id from api_token where did = ?")) {
                q.setString(1, did);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        tokenIds.add(rs.getObject(1, UUID.class));
                    }
                }
            }
            // Revoked first: this replica stops accepting them at once, others within atpin.auth.revocation-cache-ttl.
            for (UUID id : tokenIds) {
                tokens.revoke(did, id);
            }
            // Tokens, sessions, usage and the watched repo go with the row (on delete cascade); the per-status
            // counters have no key to cascade from.
            for (String sql : List.of("delete from pin_status_delta where did = ?",
                    "delete from pin_status_count where did = ?", "delete from account where did = ?")) {
                try (PreparedStatement q = c.prepareStatement(sql)) {
                    q.setString(1, did);
                    q.executeUpdate();
                }
            }
            audit.record(c, who, "account.delete", did, why, Map.of("pins", pins, "tokens", tokenIds.size()));
        }
        plans.forget(did);
        LOG.infof("operator %s deleted account %s with %d pin request(s)", who.name(), did, pins);
        return new Deleted(did, pins, tokenIds.size());
    }
}
