package dev.atpin.oauth;

import java.io.Serial;

/**
 * The OAuth session can no longer be used (the refresh token was refused, revoked or used up, or the session is
 * gone): the user has to log in again. Nothing is retried after this.
 */
public class SessionExpiredException extends OAuthException {

    @Serial
    private static final long serialVersionUID = 1L;

    public SessionExpiredException(String message) {
        super(message);
    }
}
