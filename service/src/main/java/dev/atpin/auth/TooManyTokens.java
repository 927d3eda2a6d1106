package dev.atpin.auth;

import dev.atpin.api.ApiException;

/** An account asked for one API token more than it may hold at once. */
public final class TooManyTokens extends ApiException {

    public TooManyTokens(int limit) {
        super(Kind.CONFLICT, "TOO_MANY_TOKENS", "this account already holds " + limit
                + " live API tokens, the most it may have; revoke one it no longer uses first");
    }
}
