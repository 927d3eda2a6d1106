package dev.atpin.loadtests.bench;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.atpin.auth.TokenKeys;
import java.nio.file.Path;
import java.security.interfaces.ECPrivateKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.UUID;

/**
 * API tokens for the benchmark's tenants, made the way {@code TokenService.mint} makes them (a row
 * in {@code api_token} plus an ES256 JWT signed with the service's key pair) without an API call
 * per token. The key pair is the one in the service's {@code atpin.auth.key-dir}.
 */
final class Tokens {

    private final TokenKeys keys;

    Tokens(Path keyDir) {
        this.keys = TokenKeys.loadOrGenerate(keyDir);
    }

    /** Makes sure each DID has an account on the benchmark plan and a read/write token; returns the tokens in order. */
    List<String> mint(Connection c, List<String> dids) throws SQLException {
        try (PreparedStatement account = c.prepareStatement(
                        "insert into account (did, plan) values (?, '" + Seeder.PLAN + "') on conflict (did) do nothing");
                PreparedStatement token = c.prepareStatement(
                        "insert into api_token (id, did, label, scopes) values (?, ?, 'benchmark', '{read,write}')")) {
            List<String> out = new java.util.ArrayList<>();
            for (String did : dids) {
                UUID id = UUID.randomUUID();
                account.setString(1, did);
                account.addBatch();
                token.setObject(1, id);
                token.setString(2, did);
                token.addBatch();
                out.add(sign(did, id));
            }
            account.executeBatch();
            token.executeBatch();
            return out;
        }
    }

    private String sign(String did, UUID id) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(keys.keyId()).build(),
                    new JWTClaimsSet.Builder().issuer("atpin").subject(did).jwtID(id.toString())
                            .claim("scope", "read write").issueTime(Date.from(now))
                            .expirationTime(Date.from(now.plus(30, ChronoUnit.DAYS))).build());
            jwt.sign(new ECDSASigner((ECPrivateKey) keys.privateKey()));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
