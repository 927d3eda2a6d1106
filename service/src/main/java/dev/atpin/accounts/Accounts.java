package dev.atpin.accounts;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/** Account rows: created on first sight of a DID (first token, first login). */
@ApplicationScoped
public class Accounts {

    private final EntityManager em;

    Accounts(EntityManager em) {
        this.em = em;
    }

    /** Makes sure the DID has an account row; a no-op when it already has one. */
    @Transactional
    public void ensureExists(String did) {
        em.createNativeQuery("insert into account (did) values (?1) on conflict (did) do nothing")
                .setParameter(1, did)
                .executeUpdate();
    }

    /**
     * Makes sure the DID has an account row and records its current handle (a login verified it both ways; an
     * unverified handle is stored as null rather than kept stale).
     */
    @Transactional
    public void ensureExists(String did, java.util.Optional<String> handle) {
        em.createNativeQuery("""
                        insert into account (did, handle) values (?1, cast(?2 as text))
                        on conflict (did) do update set handle = excluded.handle
                        where account.handle is distinct from excluded.handle""")
                .setParameter(1, did)
                .setParameter(2, handle.orElse(null))
                .executeUpdate();
    }
}
