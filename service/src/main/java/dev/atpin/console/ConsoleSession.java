package dev.atpin.console;

import dev.atpin.operators.Operator;
import dev.atpin.operators.OperatorLogin;
import io.quarkus.oidc.IdTokenCredential;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.core.UriInfo;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Optional;

/**
 * The operator signed in to the console (the OIDC session of the console tenant), and the CSRF token of that
 * session: a digest of its ID token, which only the session's own (encrypted) cookie carries. Any replica can
 * check it, and it changes with every new login.
 */
@RequestScoped
public class ConsoleSession {

    private final SecurityIdentity identity;
    private final OperatorLogin login;

    ConsoleSession(SecurityIdentity identity, OperatorLogin login) {
        this.identity = identity;
        this.login = login;
    }

    /**
     * The operator of this request. Not signed in: a redirect to the login (and back to this page). Signed in
     * without an operator role: a 403 page. No identity provider configured: a page that says so.
     */
    Operator operator(UriInfo uri) {
        if (!login.enabled()) {
            throw new ConsoleException(ConsoleHtml.page(503, ConsolePages.message(null, "Operator login is not configured",
                    "Set atpin.operators.oidc.auth-server-url, client-id and client-secret (see the README) and "
                            + "restart: operators log in at the organisation's identity provider.", false)));
        }
        if (identity.isAnonymous()) {
            String next = uri.getRequestUri().getRawPath()
                    + (uri.getRequestUri().getRawQuery() == null ? "" : "?" + uri.getRequestUri().getRawQuery());
            throw new ConsoleException(ConsoleHtml.seeOther(
                    "/console/login?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8)));
        }
        Optional<Operator> operator = OperatorLogin.operatorOf(identity, Operator.Via.CONSOLE);
        if (operator.isEmpty()) {
            throw new ConsoleException(ConsoleHtml.page(403, ConsolePages.message(null, "Not an operator",
                    "You are signed in as " + identity.getPrincipal().getName() + ", who has neither the atpin-viewer "
                            + "nor the atpin-admin role. Ask an administrator of the identity provider.", true)));
        }
        return operator.get();
    }

    /** The operator, who must be allowed to change things and must have sent this session's CSRF token. */
    Operator admin(UriInfo uri, String csrf) {
        Operator who = operator(uri);
        if (!who.mayChange()) {
            throw new ConsoleException(ConsoleHtml.page(403, ConsolePages.message(nav(who, ""), "Not allowed",
                    "Viewers can look at everything but change nothing: changes need the atpin-admin role.", false)));
        }
        if (csrf == null || !MessageDigest.isEqual(csrf().getBytes(StandardCharsets.UTF_8),
                csrf.getBytes(StandardCharsets.UTF_8))) {
            throw new ConsoleException(ConsoleHtml.page(403, ConsolePages.message(nav(who, ""), "Request refused",
                    "This form has expired or did not come from the console. Go back, reload the page and try again.",
                    false)));
        }
        return who;
    }

    ConsolePages.Nav nav(Operator who, String section) {
        return new ConsolePages.Nav(who.name(), who.role().roleName(), who.mayChange(), csrf(), section);
    }

    private String csrf() {
        // a console session always has one (the code flow's ID token)
        String token = java.util.Objects.requireNonNull(identity.getCredential(IdTokenCredential.class),
                "a console session without an ID token").getToken();
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(("atpin console csrf\n" + token).getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
