package dev.atpin.auth;

import dev.atpin.api.ApiException;
import jakarta.enterprise.context.RequestScoped;

/** The authenticated caller of the current request, set by {@link BearerAuthFilter}. */
@RequestScoped
public class CurrentCaller {

    private Caller caller;

    /** Set by the authentication filters (API tokens, service auth). */
    public void set(Caller caller) {
        this.caller = caller;
    }

    /** The caller, or a 401 when the request was not authenticated. */
    public Caller get() {
        if (caller == null) {
            throw ApiException.unauthorized("authenticate with 'Authorization: Bearer <token>'");
        }
        return caller;
    }

    /** The caller, who must hold {@code scope} (403 otherwise). */
    public Caller require(Scope scope) {
        Caller c = get();
        if (!c.may(scope)) {
            throw ApiException.forbidden("INSUFFICIENT_SCOPE", "this token lacks the '" + scope.claim() + "' scope");
        }
        return c;
    }
}
