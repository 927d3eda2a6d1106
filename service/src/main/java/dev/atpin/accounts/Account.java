package dev.atpin.accounts;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A tenant: one atproto account, keyed by its DID. */
@Entity
@Table(name = "account")
public class Account extends PanacheEntityBase {

    @Id
    public String did;

    public String handle;

    public String plan;

    public String status;

    @Column(name = "created_at", insertable = false, updatable = false)
    public Instant createdAt;
}
