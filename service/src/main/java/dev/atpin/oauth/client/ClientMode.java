package dev.atpin.oauth.client;

/** Which kind of atproto OAuth client we are. */
public enum ClientMode {
    /**
     * The atproto loopback development client: a public client whose {@code client_id} is
     * {@code http://localhost?redirect_uri=…&scope=…}. Authorization servers accept it without fetching
     * anything, so it works against a local PDS; they give it short-lived sessions.
     */
    LOOPBACK,
    /**
     * The production web client: {@code client_id} is the https URL of our client metadata document, tokens
     * are requested with a {@code private_key_jwt} assertion signed with a key from our JWKS.
     */
    CONFIDENTIAL
}
