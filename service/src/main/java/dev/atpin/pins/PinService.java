package dev.atpin.pins;

import dev.atpin.accounts.Limits;
import dev.atpin.accounts.Quotas;
import dev.atpin.api.ApiException;
import io.agroal.api.AgroalDataSource;
import java.sql.Connection;
import java.util.Optional;
import java.util.OptionalLong;
import dev.atpin.dispatch.ContentLedger;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The Pinning Service API's operations for one tenant. Each is one transaction: when it returns,
 * the request and the queue rows it created are committed.
 */
@ApplicationScoped
public class PinService {

    private final PinStore store;
    private final ContentLedger ledger;
    private final Quotas quotas;
    private final AgroalDataSource db;
    private final PinViews views;
    private final PinAdmissions admissions;

    PinService(PinStore store, ContentLedger ledger, Quotas quotas, AgroalDataSource db, PinViews views,
            PinAdmissions admissions) {
        this.store = store;
        this.ledger = ledger;
        this.quotas = quotas;
        this.db = db;
        this.views = views;
        this.admissions = admissions;
    }

    /**
     * A new request from the API: committed together with the other adds arriving at the same time
     * (group commit, see {@link PinAdmissions}); returns once it is committed.
     */
    public PinStatusDto add(String did, ValidPin pin) throws Exception {
        return admissions.add(did, pin);
    }

    /**
     * Reads take no transaction (ADR 0113): a lookup is one statement, a page one or two, on one
     * connection in autocommit, so a read costs no commit and no transaction manager.
     */
    public PinStatusDto get(String did, UUID id) throws SQLException {
        try (Connection c = db.getConnection()) {
            PinStore.Page found = store.findWithCopies(c, did, id);
            if (found.requests().isEmpty()) {
                throw notFound(id);
            }
            return views.of(found.requests(), found.placements(), found.replicas()).getFirst();
        }
    }

    public PinResultsDto list(String did, PinQuery query) throws SQLException {
        try (Connection c = db.getConnection()) {
            PinStore.Page page = store.page(c, did, query);
            int size = page.requests().size();
            // A short page without paging filters holds every match: no need to count them again.
            boolean pageHoldsAll = size < query.limit() && query.before().isEmpty() && query.after().isEmpty();
            long count = pageHoldsAll ? size
                    : page.total().isPresent() ? page.total().getAsLong() : store.count(c, did, query);
            return new PinResultsDto(count, views.of(page.requests(), page.placements(), page.replicas()));
        }
    }

    /**
     * A 404 unless the tenant has the request: what a replace checks before it looks at its body, so that
     * another tenant's requestid and one nobody has get the same answer whatever was sent with them. No
     * transaction: one statement in autocommit; {@link #replace} finds the request again in its own.
     */
    public void requireOwn(String did, UUID id) throws SQLException {
        if (!store.exists(did, id)) {
            throw notFound(id);
        }
    }

    /** Replace: the new request is created and the old one removed at once; its content is kept until the new one settles. */
    @Transactional(rollbackOn = SQLException.class)
    public PinStatusDto replace(String did, UUID id, ValidPin pin) throws SQLException {
        PinRequest old = store.find(did, id).orElseThrow(() -> notFound(id));
        refuseIfRecordOwned(old);
        PinRequest created = create(did, pin, PinRequest.SOURCE_API, true);
        store.delete(did, id);
        if (old.overQuota()) {
            return view(created);
        }
        if (old.cid().equals(created.cid())) {
            ledger.release(old.cid());
        } else {
            ledger.releaseAfter(old.cid(), created.id());
        }
        return view(created);
    }

    @Transactional(rollbackOn = SQLException.class)
    public void delete(String did, UUID id) throws SQLException {
        PinRequest old = store.find(did, id).orElseThrow(() -> notFound(id));
        refuseIfRecordOwned(old);
        try (Connection c = db.getConnection()) {
            quotas.requireActive(c, did);
        }
        store.delete(did, id);
        if (!old.overQuota()) {
            ledger.release(old.cid());
        }
    }

    /**
     * A pin record at {@code source} (an {@code at://} URI) wants {@code pin}: creates its request,
     * or updates the name and origins of the one it has. Runs in the caller's transaction.
     *
     * @return why no request could be made (a quota), empty when the record is pinned
     */
    @Transactional(rollbackOn = SQLException.class)
    public Optional<String> putRecordPin(String did, String source, ValidPin pin) throws SQLException {
        Optional<PinRequest> existing = store.findBySource(did, source);
        if (existing.isPresent()) {
            if (existing.get().cid().equals(pin.cid().normalized())) {
                store.updateNameAndOrigins(existing.get().id(), pin.name(), pin.origins());
                return Optional.empty();
            }
            dropRecordPin(did, source);
        }
        try {
            create(did, pin, source, false);
            return Optional.empty();
        } catch (ApiException refused) {
            // Returned, not thrown: the rest of the commit that carried this record must still apply.
            return Optional.of(refused.details());
        }
    }

    /** The record at {@code source} is gone: its request ends and its content is released. */
    @Transactional(rollbackOn = SQLException.class)
    public boolean dropRecordPin(String did, String source) throws SQLException {
        Optional<PinRequest> existing = store.findBySource(did, source);
        if (existing.isEmpty()) {
            return false;
        }
        store.delete(did, existing.get().id());
        if (!existing.get().overQuota()) {
            ledger.release(existing.get().cid());
        }
        return true;
    }

    /** Records the backup a pin record carries (JSON), or clears it. */
    @Transactional(rollbackOn = SQLException.class)
    public void setRecordBackup(String did, String source, String backupJson) throws SQLException {
        store.setBackup(did, source, backupJson);
    }

    /** Every record-backed request of the tenant: source URI → normalized CID. */
    @Transactional(rollbackOn = SQLException.class)
    public Map<String, String> recordPins(String did) throws SQLException {
        return store.recordSources(did);
    }

    /**
     * Admits (pin count quota, suspension), then records the request and its content's demand. When
     * the content's size is already known the request is charged for it at once.
     */
    private PinRequest create(String did, ValidPin pin, String source, boolean replacing) throws SQLException {
        String cid = pin.cid().normalized();
        UUID id = UUID.randomUUID();
        try (Connection c = db.getConnection()) {
            Limits limits = quotas.admit(c, did, replacing);
            Instant created = store.nextCreated(did);
            String status = ledger.want(cid, limits.replication());
            store.insert(new PinRequest(id, did, cid, pin.cidInput(), pin.name(), pin.meta(), pin.origins(), status,
                    created, source, null, null, false, null));
            OptionalLong size = ledger.knownSize(cid);
            if (size.isPresent()) {
                quotas.chargeNew(c, did, id, size.getAsLong());
            }
        }
        return store.find(did, id).orElseThrow();
    }

    private static void refuseIfRecordOwned(PinRequest request) {
        if (request.ownedByRecord()) {
            throw new ApiException(ApiException.Kind.CONFLICT, "RECORD_OWNED", "this pin follows the record " + request.source()
                    + " in the owner's atproto repo; delete the record to remove the pin");
        }
    }

    private static ApiException notFound(UUID id) {
        return ApiException.notFound("no pin request " + id);
    }

    private PinStatusDto view(PinRequest r) throws SQLException {
        return views(List.of(r)).getFirst();
    }

    private List<PinStatusDto> views(List<PinRequest> requests) throws SQLException {
        List<String> cids = requests.stream().map(PinRequest::cid).distinct().toList();
        return views.of(requests, store.placements(cids), store.replicas(cids));
    }
}
