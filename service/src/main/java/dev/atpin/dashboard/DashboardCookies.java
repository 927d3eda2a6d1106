package dev.atpin.dashboard;

import dev.atpin.oauth.OAuthConfig;
import jakarta.inject.Singleton;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.NewCookie;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * The dashboard's two cookies: the session cookie (after login) and the login cookie, which ties a login in
 * progress to the browser that started it. Both HttpOnly and SameSite=Lax (Lax, not Strict: the callback is a
 * top-level navigation coming from the user's PDS, and must carry the login cookie), Secure outside local runs.
 */
@Singleton
public class DashboardCookies {

    static final String LOGIN_COOKIE = "atpin_login";

    private final String sessionName;
    private final boolean secure;
    private final Duration sessionTtl;
    private final Duration loginTtl;

    DashboardCookies(OAuthConfig config) {
        this.sessionName = config.cookieName();
        this.secure = config.secureCookies()
                .orElse(!"http".equals(String.valueOf(config.publicUrl().getScheme()).toLowerCase(Locale.ROOT)));
        this.sessionTtl = config.sessionTtl();
        this.loginTtl = config.loginTtl();
    }

    Optional<String> session(HttpHeaders headers) {
        return read(headers, sessionName);
    }

    Optional<String> login(HttpHeaders headers) {
        return read(headers, LOGIN_COOKIE);
    }

    NewCookie newSession(String value) {
        return cookie(sessionName, value, sessionTtl);
    }

    NewCookie clearSession() {
        return cookie(sessionName, "", Duration.ZERO);
    }

    NewCookie newLogin(String value) {
        return cookie(LOGIN_COOKIE, value, loginTtl);
    }

    NewCookie clearLogin() {
        return cookie(LOGIN_COOKIE, "", Duration.ZERO);
    }

    private NewCookie cookie(String name, String value, Duration maxAge) {
        return new NewCookie.Builder(name)
                .value(value)
                .path("/")
                .httpOnly(true)
                .secure(secure)
                .sameSite(NewCookie.SameSite.LAX)
                .maxAge((int) Math.min(Integer.MAX_VALUE, maxAge.toSeconds()))
                .build();
    }

    private static Optional<String> read(HttpHeaders headers, String name) {
        Cookie cookie = headers.getCookies().get(name);
        return cookie == null || cookie.getValue() == null || cookie.getValue().isBlank()
                ? Optional.empty() : Optional.of(cookie.getValue());
    }
}
