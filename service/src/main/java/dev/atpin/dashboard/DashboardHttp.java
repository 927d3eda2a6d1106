package dev.atpin.dashboard;

import dev.atpin.oauth.OAuthSession;
import dev.atpin.oauth.OAuthSessions;
import io.quarkus.qute.TemplateInstance;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * What every dashboard page shares: the logged-in session from the cookie, the CSRF check of state-changing
 * forms, and responses with the pages' security headers. A page without a session sends the browser to the
 * login page; a form without the session's CSRF token is refused.
 */
@ApplicationScoped
public class DashboardHttp {

    private static final Logger LOG = Logger.getLogger(DashboardHttp.class);

    /** Scripts only from us (htmx is served from its web dependency), requests only to us, no frames. */
    static final String CSP = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; "
            + "img-src 'self'; frame-ancestors 'none'; base-uri 'none'";

    private final DashboardCookies cookies;
    private final OAuthSessions sessions;

    DashboardHttp(DashboardCookies cookies, OAuthSessions sessions) {
        this.cookies = cookies;
        this.sessions = sessions;
    }

    public Optional<OAuthSession> current(HttpHeaders headers) {
        return cookies.session(headers).flatMap(sessions::byCookie);
    }

    /** A page for a logged-in user: {@code render} gets the session, or the browser goes to the login page. */
    public Response withSession(HttpHeaders headers, Function<OAuthSession, Response> render) {
        return current(headers).map(render).orElseGet(() -> seeOther("/"));
    }

    /** A state-changing form: a session and its CSRF token are required before {@code change} runs. */
    public Response withForm(HttpHeaders headers, String csrf, Function<OAuthSession, Response> change) {
        Optional<OAuthSession> session = current(headers);
        if (session.isEmpty()) {
            return seeOther("/");
        }
        if (!csrfMatches(session.get(), csrf)) {
            return csrfRefused();
        }
        return change.apply(session.get());
    }

    /** Who is logged in, as every page's header shows it. */
    public static Pages.Me me(OAuthSession session) {
        return new Pages.Me(session.did(), session.handle().orElse(session.did()), session.csrfToken());
    }

    public static boolean csrfMatches(OAuthSession session, String provided) {
        return provided != null && MessageDigest.isEqual(session.csrfToken().getBytes(StandardCharsets.UTF_8),
                provided.getBytes(StandardCharsets.UTF_8));
    }

    public static Response csrfRefused() {
        return problem(403, "Request refused", "This form has expired or did not come from atpin. Go back, "
                + "reload the page and try again.", false);
    }

    public static Response problem(int status, String title, String message, boolean loginAgain) {
        // OAuth and identity messages are written to fit into a sentence; on their own they start a new one
        String sentence = message.isEmpty() ? message : Character.toUpperCase(message.charAt(0)) + message.substring(1);
        return page(status, Pages.problem(title, sentence, loginAgain));
    }

    public static Response page(int status, TemplateInstance page) {
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("utf-8")).entity(page)
                .header("Cache-Control", "no-store")
                .header("Referrer-Policy", "no-referrer")
                .header("X-Content-Type-Options", "nosniff")
                .header("X-Frame-Options", "DENY")
                .header("Content-Security-Policy", CSP)
                .build();
    }

    public static Response seeOther(String path) {
        return Response.seeOther(URI.create(path)).header("Cache-Control", "no-store").build();
    }

    /** What each dashboard resource's exception mapper answers: a plain apology, the details in our log. */
    public static Response unexpected(Throwable e) {
        if (e instanceof WebApplicationException web && web.getResponse().getStatus() < 500) {
            int status = web.getResponse().getStatus();
            return problem(status, status == 404 ? "Not found" : "Request refused", switch (status) {
                case 404 -> "There is nothing at this address.";
                case 415 -> "Please use the forms on these pages.";
                default -> "This request could not be handled.";
            }, false);
        }
        LOG.error("dashboard request failed", e);
        return problem(500, "Something went wrong", "Something went wrong on our side. Please try again.", false);
    }
}
