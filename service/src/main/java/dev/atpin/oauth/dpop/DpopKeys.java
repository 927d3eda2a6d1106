package dev.atpin.oauth.dpop;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import java.text.ParseException;

/**
 * DPoP keys: a fresh P-256 key per login (atproto wants one key per session, never shared), kept with the
 * session as a private JWK so that every replica can sign proofs for it.
 */
public final class DpopKeys {

    private DpopKeys() {}

    public static ECKey generate() {
        try {
            return new ECKeyGenerator(Curve.P_256).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException("P-256 is not available in this JVM", e);
        }
    }

    /** The private JWK as stored in the database. */
    public static String serialize(ECKey key) {
        return key.toJSONString();
    }

    public static ECKey parse(String json) {
        try {
            return ECKey.parse(json);
        } catch (ParseException e) {
            throw new IllegalStateException("a stored DPoP key is not a valid JWK", e);
        }
    }
}
