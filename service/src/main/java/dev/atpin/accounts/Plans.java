package dev.atpin.accounts;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Transactional;
import java.util.Optional;

/** Turns an account's plan and overrides into its effective {@link Limits}. */
@ApplicationScoped
public class Plans {

    private final AccountsConfig config;
    private final Cache<String, Limits> cache;

    Plans(AccountsConfig config) {
        this.config = config;
        this.cache = Caffeine.newBuilder().expireAfterWrite(config.limitsCacheTtl()).maximumSize(100_000).build();
    }

    /** Fail fast at start when the default plan does not exist. */
    void onStart(@Observes StartupEvent event) {
        if (!config.plans().containsKey(config.defaultPlan())) {
            throw new IllegalStateException("atpin.accounts.default-plan '" + config.defaultPlan()
                    + "' is not one of the configured plans " + config.plans().keySet());
        }
    }

    public boolean exists(String plan) {
        return config.plans().containsKey(plan);
    }

    public java.util.Set<String> names() {
        return config.plans().keySet();
    }

    /** The account's limits, cached briefly (they are read on every request for the rate limit). */
    public Limits of(String did) {
        return cache.get(did, this::load);
    }

    /** Fresh limits, bypassing the cache: for quota decisions made under the account's row lock. */
    @Transactional(Transactional.TxType.SUPPORTS)
    public Limits load(String did) {
        Account account = Account.findById(did);
        return account == null ? defaults() : of(account);
    }

    public Limits of(Account account) {
        return resolve(account.plan, account.status, account.maxPins, account.maxBytes, account.maxPinSize,
                account.replication, account.rateLimit);
    }

    /** The plan's limits with each non-null override applied; an unknown plan falls back to the default one. */
    public Limits resolve(String planName, String status, Long maxPins, Long maxBytes, Long maxPinSize,
            Integer replication, Integer rateLimit) {
        String name = Optional.ofNullable(planName).filter(config.plans()::containsKey).orElse(config.defaultPlan());
        AccountsConfig.PlanConfig plan = config.plans().get(name);
        return new Limits(name, Account.SUSPENDED.equals(status),
                Optional.ofNullable(maxPins).orElse(plan.maxPins()),
                Optional.ofNullable(maxBytes).orElse(plan.maxBytes()),
                Optional.ofNullable(maxPinSize).orElse(plan.maxPinSize()),
                Optional.ofNullable(replication).orElse(plan.replication()),
                Optional.ofNullable(rateLimit).orElse(plan.rateLimit()));
    }

    /** Each plan's replication, by plan name (self-healing recomputes contents' replication with these). */
    public java.util.Map<String, Integer> replicationByPlan() {
        java.util.Map<String, Integer> out = new java.util.TreeMap<>();
        config.plans().forEach((name, plan) -> out.put(name, plan.replication()));
        return out;
    }

    /** The replication of accounts whose plan is not configured (they get the default plan). */
    public int defaultReplication() {
        return config.plans().get(config.defaultPlan()).replication();
    }

    public void forget(String did) {
        cache.invalidate(did);
    }

    private Limits defaults() {
        AccountsConfig.PlanConfig plan = config.plans().get(config.defaultPlan());
        return new Limits(config.defaultPlan(), false, plan.maxPins(), plan.maxBytes(), plan.maxPinSize(),
                plan.replication(), plan.rateLimit());
    }
}
