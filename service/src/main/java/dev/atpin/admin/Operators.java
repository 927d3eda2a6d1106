package dev.atpin.admin;

import dev.atpin.accounts.AccountsConfig;
import dev.atpin.api.ApiException;
import dev.atpin.auth.Caller;
import dev.atpin.auth.CurrentCaller;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/** Who may use the admin API: DIDs listed in {@code atpin.accounts.operators}, authenticated like any user. */
@ApplicationScoped
public class Operators {

    private final CurrentCaller caller;
    private final Set<String> operators;

    Operators(CurrentCaller caller, AccountsConfig config) {
        this.caller = caller;
        this.operators = config.operators().orElse(Set.of());
    }

    /** The calling operator, or 403 for anyone else. */
    public Caller require() {
        Caller who = caller.get();
        if (!operators.contains(who.did())) {
            throw ApiException.forbidden("NOT_AN_OPERATOR", "the admin API is for the service's operators");
        }
        return who;
    }
}
