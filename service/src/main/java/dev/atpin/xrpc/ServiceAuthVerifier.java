package dev.atpin.xrpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atpin.identity.AtprotoKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Verifies atproto service-auth JWTs (atproto.com/specs/xrpc): signed by the calling user's
 * atproto key ({@code ES256K} or {@code ES256}; low-S is not required for JWTs), {@code iss} the
 * user's DID, {@code aud} our service DID, {@code lxm} the method being called, a short
 * {@code exp}, and a {@code jti} never seen before (replays are refused).
 */
public final class ServiceAuthVerifier {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> ALGORITHMS = Set.of("ES256K", "ES256");

    /**
     * Looks up a DID's current signing key; {@code refresh} forces a fresh DID document.
     *
     * @throws Refused when the lookup itself is refused (the caller has made us fetch too much)
     */
    public interface Keys {
        Optional<AtprotoKey> key(String did, boolean refresh) throws Refused;
    }

    private final String serviceDid;
    private final Duration maxLifetime;
    private final Keys keys;
    private final Predicate<Jti> firstUse;
    private final Clock clock;

    /** A token id and until when it must be remembered. */
    public record Jti(String iss, String jti, long expiresEpochSecond) {}

    /** Why a token was refused; the message is safe to show to the caller. */
    public static class Refused extends Exception {
        public Refused(String message) {
            super(message, null, false, false);
        }
    }

    /** Refused before verifying: this client (or everyone) made us fetch too many DID documents lately. */
    public static final class TooManyLookups extends Refused {
        public TooManyLookups(String message) {
            super(message);
        }
    }

    /** The verified caller. */
    public record Verified(String did, String lxm) {}

    public ServiceAuthVerifier(String serviceDid, Duration maxLifetime, Keys keys, Predicate<Jti> firstUse, Clock clock) {
        this.serviceDid = serviceDid;
        this.maxLifetime = maxLifetime;
        this.keys = keys;
        this.firstUse = firstUse;
        this.clock = clock;
    }

    public Verified verify(String token, String expectedLxm) throws Refused {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw new Refused("not a JWT");
        }
        JsonNode header = decode(parts[0], "header");
        JsonNode claims = decode(parts[1], "payload");
        String alg = header.path("alg").asText();
        if (!ALGORITHMS.contains(alg)) {
            throw new Refused("unsupported alg '" + alg + "': ES256K or ES256");
        }
        String iss = claims.path("iss").asText("");
        String did = iss.contains("#") ? iss.substring(0, iss.indexOf('#')) : iss;
        if (!did.startsWith("did:")) {
            throw new Refused("'iss' must be the caller's DID");
        }
        String aud = claims.path("aud").asText("");
        if (!aud.equals(serviceDid) && !aud.equals(serviceDid + "#" + WellKnownResource.SERVICE_ID)) {
            throw new Refused("'aud' must be " + serviceDid);
        }
        if (!expectedLxm.equals(claims.path("lxm").asText(null))) {
            throw new Refused("'lxm' must be " + expectedLxm);
        }
        long now = clock.instant().getEpochSecond();
        if (!claims.path("exp").canConvertToLong()) {
            throw new Refused("'exp' is required");
        }
        long exp = claims.path("exp").asLong();
        if (exp <= now) {
            throw new Refused("the token has expired");
        }
        if (exp - now > maxLifetime.toSeconds()) {
            throw new Refused("the token is valid for too long: at most " + maxLifetime.toSeconds() + " s");
        }
        String jti = claims.path("jti").asText("");
        if (jti.isEmpty()) {
            throw new Refused("'jti' is required");
        }
        byte[] signed = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
        byte[] signature;
        try {
            signature = Base64.getUrlDecoder().decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new Refused("the signature is not base64url");
        }
        // Every check above is free; from here on the issuer's DID document may have to be fetched. A DID
        // that does not resolve is not asked again (the refresh is only for a key that may have rotated).
        Optional<AtprotoKey> key = keys.key(did, false);
        if (key.isEmpty()) {
            throw new Refused("cannot resolve the signing key of " + did);
        }
        if (!verifies(key.get(), alg, signed, signature)
                && !keys.key(did, true).filter(fresh -> verifies(fresh, alg, signed, signature)).isPresent()) {
            throw new Refused("the signature does not verify with " + did + "'s key");
        }
        if (!firstUse.test(new Jti(did, jti, exp))) {
            throw new Refused("the token was already used");
        }
        return new Verified(did, expectedLxm);
    }

    private static boolean verifies(AtprotoKey key, String alg, byte[] signed, byte[] signature) {
        return key.curve().jwtAlg().equals(alg) && key.verify(signed, signature, false);
    }

    private static JsonNode decode(String part, String what) throws Refused {
        try {
            JsonNode node = JSON.readTree(Base64.getUrlDecoder().decode(part));
            if (node == null || !node.isObject()) {
                throw new Refused("the JWT " + what + " is not a JSON object");
            }
            return node;
        } catch (IOException | IllegalArgumentException e) {
            throw new Refused("the JWT " + what + " is not base64url JSON");
        }
    }

    /** Wraps a lookup that may throw into the {@link Keys} shape. */
    public static Keys keys(Function<String, AtprotoKey> resolve, Function<String, AtprotoKey> refresh) {
        return (did, fresh) -> {
            try {
                return Optional.ofNullable(fresh ? refresh.apply(did) : resolve.apply(did));
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        };
    }
}
