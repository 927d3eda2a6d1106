package dev.atpin.auth;

import io.quarkus.runtime.QuarkusApplication;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * Operator CLI: {@code mint-token DID [scopes] [--label L] [--expires-in 30d]}. Prints the token
 * on standard output (only there) for the operator to hand over. The {@code admin} scope (the admin
 * API, for a DID listed in {@code atpin.accounts.operators}) is minted only here.
 */
public class MintTokenCommand implements QuarkusApplication {

    public static final String NAME = "mint-token";

    @Inject
    TokenService tokens;

    @Override
    public int run(String... args) {
        if (args.length < 2 || !args[1].startsWith("did:")) {
            System.err.println("usage: mint-token DID [read,write[,admin]] [--label LABEL] [--expires-in DAYS]");
            return 2;
        }
        String did = args[1];
        Set<Scope> scopes = Set.of(Scope.READ, Scope.WRITE);
        String label = "minted by operator CLI";
        Optional<Instant> expires = Optional.empty();
        for (int i = 2; i < args.length; i++) {
            switch (args[i]) {
                case "--label" -> label = args[++i];
                case "--expires-in" -> expires = Optional.of(Instant.now().plus(Duration.ofDays(Long.parseLong(args[++i]))));
                default -> scopes = Scope.parseList(args[i]);
            }
        }
        TokenService.Minted minted = tokens.mint(did, label, scopes, expires);
        System.out.println(minted.token());
        System.err.println("minted token " + minted.id() + " for " + did + " with scopes " + scopes);
        return 0;
    }
}
