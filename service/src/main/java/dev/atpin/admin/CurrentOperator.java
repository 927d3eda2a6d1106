package dev.atpin.admin;

import dev.atpin.api.ApiException;
import dev.atpin.operators.Operator;
import jakarta.enterprise.context.RequestScoped;

/** The operator of the current admin API request, set by {@link AdminAuthFilter}. */
@RequestScoped
public class CurrentOperator {

    private Operator operator;

    void set(Operator operator) {
        this.operator = operator;
    }

    /** Any operator: viewers may look at everything. */
    public Operator viewer() {
        if (operator == null) {
            throw ApiException.unauthorized("authenticate with an operator's token");
        }
        return operator;
    }

    /** An operator who may change things (403 for viewers and read-only tokens). */
    public Operator admin() {
        Operator who = viewer();
        if (!who.mayChange()) {
            throw refusal(who);
        }
        return who;
    }

    static ApiException refusal(Operator who) {
        return who.via() == Operator.Via.API_TOKEN
                ? ApiException.forbidden("INSUFFICIENT_SCOPE", "changes need a token with the 'admin' and 'write' scopes")
                : ApiException.forbidden("INSUFFICIENT_ROLE", "changes need the atpin-admin role");
    }
}
