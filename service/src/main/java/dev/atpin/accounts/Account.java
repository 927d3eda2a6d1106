package dev.atpin.accounts;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A tenant: one atproto account, keyed by its DID, with its plan and per-account overrides. */
@Entity
@Table(name = "account")
public class Account extends PanacheEntityBase {

    public static final String ACTIVE = "active";
    public static final String SUSPENDED = "suspended";

    @Id
    public String did;

    public String handle;

    public String plan;

    public String status;

    @Column(name = "status_reason")
    public String statusReason;

    @Column(name = "max_pins")
    public Long maxPins;

    @Column(name = "max_bytes")
    public Long maxBytes;

    @Column(name = "max_pin_size")
    public Long maxPinSize;

    public Integer replication;

    @Column(name = "rate_limit")
    public Integer rateLimit;

    @Column(name = "created_at", insertable = false, updatable = false)
    public Instant createdAt;

    /** Bumped by every operator change (admin/AdminAccounts writes it; never written through this entity). */
    @Column(name = "version", insertable = false, updatable = false)
    public long version;
}
