package dev.atpin.accounts;

import dev.atpin.api.ApiException;

/** A write refused because a limit of the tenant's plan is reached: the spec's 409 {@code INSUFFICIENT_FUNDS}. */
public class QuotaExceeded extends ApiException {

    public QuotaExceeded(String details) {
        super(Kind.CONFLICT, "INSUFFICIENT_FUNDS", details);
    }
}
