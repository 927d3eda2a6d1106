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
}
