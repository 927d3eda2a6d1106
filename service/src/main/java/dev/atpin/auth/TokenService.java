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

    TokenService(EntityManager em, Accounts accounts, AuthConfig config) {
        this.em = em;
        this.accounts = accounts;
        this.config = config;
        this.keys = TokenKeys.loadOrGenerate(Path.of(config.keyDir()));
        JWTAuthContextInfo context = new JWTAuthContextInfo(keys.publicKey(), config.issuer());
        context.setSignatureAlgorithm(Set.of(SignatureAlgorithm.ES256));
        this.parser = new DefaultJWTParser(context);
        this.states = Caffeine.newBuilder()
                .expireAfterWrite(config.revocationCacheTtl())
                .maximumSize(100_000)
                .build();
    }

    /** A newly minted token; {@code token} is shown to its owner once and never stored. */
    public record Minted(UUID id, String token) {
        @Override
        public String toString() {
            return "Minted[id=" + id + "]"; // the token itself is a secret
        }
    }

    /** What the database says about a token id. */
    record TokenState(String did, boolean revoked) {}

    /**
     * Mints a token for {@code did}.
     *
     * @throws TooManyTokens when the account already holds {@link AuthConfig#maxTokensPerAccount()} live tokens
     *     (each token has its own rate limit: unbounded tokens would mean an unbounded rate)
     */
    @Transactional
    public Minted mint(String did, String label, Set<Scope> scopes, Optional<Instant> expiresAt) {
        accounts.ensureExists(did);
        refuseOverTokenLimit(did);
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
        return Optional.of(new Caller(jwt.getSubject(), id, scopes));
    }

    /** Revokes one of {@code did}'s tokens; false when it has no such token. */
    @Transactional
    public boolean revoke(String did, UUID id) {
        int updated = em.createNativeQuery(
                        "update api_token set revoked_at = now() where id = ?1 and did = ?2 and revoked_at is null")
                .setParameter(1, id).setParameter(2, did).executeUpdate();
        states.invalidate(id);
        return updated > 0;
    }

    @Transactional
    public List<ApiToken> list(String did) {
        return ApiToken.list("did = ?1 order by createdAt desc", did);
    }

    /**
     * Counts the account's live tokens under the account's row lock, so that concurrent mints cannot
     * both slip under the limit.
     */
    private void refuseOverTokenLimit(String did) {
        em.createNativeQuery("select 1 from account where did = ?1 for update").setParameter(1, did).getResultList();
        Number live = (Number) em.createNativeQuery("""
                        select count(*) from api_token
                        where did = ?1 and revoked_at is null and (expires_at is null or expires_at > now())""")
                .setParameter(1, did).getSingleResult();
        if (live.longValue() >= config.maxTokensPerAccount()) {
            throw new TooManyTokens(config.maxTokensPerAccount());
        }
    }

    /**
     * Cache miss: read the row, and note the use (at most once per cache lifetime per token).
     *
     * <p>The use is noted with an UPDATE of {@code last_used_at} alone, never by writing the row back: a
     * row read before a concurrent revoke and written after it would otherwise clear {@code revoked_at}
     * and bring the token back to life.
     */
    @Transactional
    Optional<TokenState> loadState(UUID id) {
        ApiToken row = ApiToken.findById(id);
        if (row == null) {
            return Optional.empty();
        }
        em.detach(row);
        boolean expired = row.expiresAt != null && row.expiresAt.isBefore(Instant.now());
        noteUse(id);
        return Optional.of(new TokenState(row.did, row.revokedAt != null || expired));
    }

    /** Sets {@code last_used_at} and nothing else: this statement can never undo a revocation. */
    private void noteUse(UUID id) {
        em.createNativeQuery("update api_token set last_used_at = now() where id = ?1")
                .setParameter(1, id).executeUpdate();
    }
}
