package dev.atpin.dispatch;

import dev.atpin.accounts.Quotas;
import dev.atpin.db.Jdbc;
import dev.atpin.kubo.KuboClient;
import dev.atpin.kubo.KuboException;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.OptionalLong;
import java.util.function.LongConsumer;

/**
 * Byte quotas, enforced before a DAG is pinned: the node first walks the DAG (fetching without
 * pinning) and stops as soon as it is larger than any waiting request may pin, so nobody fills the
 * cluster through a small plan. Once the size is known each request is charged for it, or fails
 * with the limit it hits; only content some request has paid for is pinned.
 */
@ApplicationScoped
public class SizeGate {

    private final AgroalDataSource db;
    private final Quotas quotas;
    private final PlacementQueue queue;
    private final DispatchConfig config;

    SizeGate(AgroalDataSource db, Quotas quotas, PlacementQueue queue, DispatchConfig config) {
        this.db = db;
        this.quotas = quotas;
        this.queue = queue;
        this.config = config;
    }

    /**
     * @return true when the placement should go on to pin; false when it was settled here (failed
     *     because no request may pin content this large)
     */
    public boolean admit(PlacementQueue.Claim claim, KuboClient kubo, LongConsumer progress)
            throws SQLException, KuboException {
        OptionalLong size;
        OptionalLong allowance;
        try (Connection c = db.getConnection()) {
            size = ContentLedger.knownSize(c, claim.cid());
            allowance = quotas.largestAllowance(c, claim.cid());
        }
        if (size.isEmpty()) {
            long limit = allowance.orElse(Long.MAX_VALUE);
            try {
                size = OptionalLong.of(kubo.dagSize(claim.cid(), limit, config.noProgressTimeout(), progress));
            } catch (KuboClient.DagTooLarge e) {
                Jdbc.inTransaction(db, c -> {
                    quotas.refuseTooLarge(c, claim.cid(), e.atLeast());
                    return null;
                });
                queue.failed(claim, "larger than every requester's quota allows (at least " + e.atLeast() + " bytes)");
                return false;
            }
        }
        long measured = size.getAsLong();
        boolean anyoneCharged = Jdbc.inTransaction(db, c -> {
            boolean charged = quotas.charge(c, claim.cid(), measured); // locks accounts, then the content
            ContentLedger.recordSize(c, claim.cid(), measured);
            return charged;
        });
        if (!anyoneCharged) {
            queue.failed(claim, "no request for this content is within its quota");
            return false;
        }
        return true;
    }
}
