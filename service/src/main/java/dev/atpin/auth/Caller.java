package dev.atpin.auth;

import java.util.Set;
import java.util.UUID;

/** Who is calling: the tenant DID and what its token allows. */
public record Caller(String did, UUID tokenId, Set<Scope> scopes) {

    public boolean may(Scope scope) {
        return scopes.contains(scope);
    }
}
