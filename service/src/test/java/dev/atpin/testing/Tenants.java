package dev.atpin.testing;

import dev.atpin.auth.Scope;
import dev.atpin.auth.TokenService;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** Test tenants: a fresh DID with a token, and a request spec that uses it. */
public final class Tenants {

    private Tenants() {}

    public record Tenant(String did, String token) {
        public RequestSpecification api() {
            return RestAssured.given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON);
        }
    }

    public static Tenant fresh(TokenService tokens) {
        return fresh(tokens, Set.of(Scope.READ, Scope.WRITE));
    }

    public static Tenant fresh(TokenService tokens, Set<Scope> scopes) {
        String did = "did:plc:test" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        return new Tenant(did, tokens.mint(did, "test", scopes, Optional.empty()).token());
    }
}
