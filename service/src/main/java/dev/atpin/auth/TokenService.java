package dev.atpin.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.atpin.accounts.Accounts;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.jwt.build.Jwt;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Mints and checks API tokens: ES256 JWTs whose {@code jti} is a row in {@code api_token}, so
 * each can be revoked. Revocation is seen within {@link AuthConfig#revocationCacheTtl()}.
 */
@ApplicationScoped
public class TokenService {

    /** JWTs need an {@code exp}; a token "without expiry" gets one this far out. */
    private static final Duration NO_EXPIRY = Duration.ofDays(365L * 100);
    private static final String SCOPE_CLAIM = "scope";

    private final EntityManager em;
    private final Accounts accounts;
    private final AuthConfig config;
    private final TokenKeys keys;
    private final DefaultJWTParser parser;
    private final Cache<UUID, Optional<TokenState>> states;
    private final VerifiedTokens verified;

    TokenService(EntityManager em, Accounts accounts, AuthConfig config) {
        this.em = em;
        this.accounts = accounts;
        this.config = config;
        this.keys = TokenKeys.loadOrGenerate(Path.of(config.keyDir()));
        JWTAuthContextInfo context = new JWTAuthContextInfo(keys.publicKey(), config.issuer());
        context.setSignatureAlgorithm(Set.of(SignatureAlgorithm.ES256));
        this.parser = new DefaultJWTParser(context);
        // A verified token is cached on top of its state: each cache gets half the revocation TTL so
        // that together a revocation is still seen within the TTL.
        Duration half = config.revocationCacheTtl().dividedBy(2);
        this.states = Caffeine.newBuilder()
                .expireAfterWrite(half)
                .maximumSize(100_000)
                .build();
        this.verified = new VerifiedTokens(half);
    }

    /** A newly minted token; {@code token} is shown to its owner once and never stored. */
    public record Minted(UUID id, String token) {}

    /** What the database says about a token id. */
    record TokenState(String did, boolean revoked) {}

    @Transactional
    public Minted mint(String did, String label, Set<Scope> scopes, Optional<Instant> expiresAt) {
        accounts.ensureExists(did);
        UUID id = UUID.randomUUID();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        ApiToken row = new ApiToken();
        row.id = id;
        row.did = did;
        row.label = label;
        row.scopes = scopes.stream().map(Scope::claim).sorted().toArray(String[]::new);
        row.createdAt = now;
        row.expiresAt = expiresAt.orElse(null);
        row.persist();
        String token = Jwt.issuer(config.issuer())
                .subject(did)
                .claim("jti", id.toString())
                .claim(SCOPE_CLAIM, String.join(" ", row.scopes))
                .issuedAt(now)
                .expiresAt(expiresAt.orElse(now.plus(NO_EXPIRY)))
                .jws().keyId(keys.keyId()).algorithm(SignatureAlgorithm.ES256)
                .sign(keys.privateKey());
        return new Minted(id, token);
    }

    /** Checks signature, issuer, expiry and revocation; empty when the token must be refused. */
    public Optional<Caller> authenticate(String token) {
        Optional<Caller> known = verified.get(token);
        if (known.isPresent()) {
            return known;
        }
        JsonWebToken jwt;
        try {
            jwt = parser.parse(token);
        } catch (ParseException | RuntimeException e) {
            return Optional.empty();
        }
        UUID id;
        try {
            id = UUID.fromString(jwt.getTokenID());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        Optional<TokenState> state = states.get(id, this::loadState);
        if (state.isEmpty() || state.get().revoked() || !state.get().did().equals(jwt.getSubject())) {
            return Optional.empty();
        }
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        Object claim = jwt.getClaim(SCOPE_CLAIM);
        if (claim != null) {
            for (String s : claim.toString().replace("\"", "").split(" ")) {
                Scope.fromClaim(s).ifPresent(scopes::add);
            }
        }
        Caller caller = new Caller(jwt.getSubject(), id, scopes);
        verified.put(token, caller, Instant.ofEpochSecond(jwt.getExpirationTime()));
        return Optional.of(caller);
    }

    /** Revokes one of {@code did}'s tokens; false when it has no such token. */
    @Transactional
    public boolean revoke(String did, UUID id) {
        int updated = em.createNativeQuery(
                        "update api_token set revoked_at = now() where id = ?1 and did = ?2 and revoked_at is null")
                .setParameter(1, id).setParameter(2, did).executeUpdate();
        states.invalidate(id);
        verified.forget(id);
        return updated > 0;
    }

    @Transactional
    public List<ApiToken> list(String did) {
        return ApiToken.list("did = ?1 order by createdAt desc", did);
    }

    /** Cache miss: read the row, and note the use (at most once per cache lifetime per token). */
    @Transactional
    Optional<TokenState> loadState(UUID id) {
        ApiToken row = ApiToken.findById(id);
        if (row == null) {
            return Optional.empty();
        }
        boolean expired = row.expiresAt != null && row.expiresAt.isBefore(Instant.now());
        row.lastUsedAt = Instant.now();
        return Optional.of(new TokenState(row.did, row.revokedAt != null || expired));
    }
}
