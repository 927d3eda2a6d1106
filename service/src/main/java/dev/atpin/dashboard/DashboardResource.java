package dev.atpin.dashboard;

import dev.atpin.abuse.AnonymousLimits;
import dev.atpin.accounts.Accounts;
import dev.atpin.auth.Scope;
import dev.atpin.auth.TokenService;
import dev.atpin.auth.TooManyTokens;
import dev.atpin.identity.IdentityException;
import dev.atpin.oauth.OAuthException;
import dev.atpin.oauth.OAuthFlow;
import dev.atpin.oauth.OAuthSession;
import dev.atpin.oauth.OAuthSessions;
import dev.atpin.oauth.SessionExpiredException;
import dev.atpin.oauth.XrpcException;
import dev.atpin.watcher.EnrollmentRefused;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The minimal dashboard: log in with an atproto account, then list, create and revoke Pinning Service API
 * tokens. Server-rendered; every state-changing form carries the session's CSRF token; every failure is a
 * friendly page, never a stack trace.
 */
@Path("/")
@Produces(MediaType.TEXT_HTML)
public class DashboardResource {

    private static final Logger LOG = Logger.getLogger(DashboardResource.class);
    private static final int MAX_HANDLE_INPUT = 300;
    private static final int MAX_LABEL = 100;
    private static final Set<Integer> EXPIRY_DAYS = Set.of(7, 30, 90, 365);

    private final OAuthFlow flow;
    private final OAuthSessions sessions;
    private final DashboardCookies cookies;
    private final Accounts accounts;
    private final TokenService tokens;
    private final RepoEnrollment repoEnrollment;
    private final AnonymousLimits anonymousLimits;

    DashboardResource(OAuthFlow flow, OAuthSessions sessions, DashboardCookies cookies, Accounts accounts,
                      TokenService tokens, RepoEnrollment repoEnrollment, AnonymousLimits anonymousLimits) {
        this.repoEnrollment = repoEnrollment;
        this.anonymousLimits = anonymousLimits;
        this.flow = flow;
        this.sessions = sessions;
        this.cookies = cookies;
        this.accounts = accounts;
        this.tokens = tokens;
    }

    @GET
    public Response landing(@Context HttpHeaders headers) {
        if (current(headers).isPresent()) {
            return seeOther("/account");
        }
        return page(200, Pages.landing(null, null));
    }

    @POST
    @Path("login")
    public Response login(@RestForm String handle) {
        String input = handle == null ? "" : handle.strip();
        if (input.isEmpty() || input.length() > MAX_HANDLE_INPUT) {
            return page(400, Pages.landing(input.length() > MAX_HANDLE_INPUT ? "" : input,
                    "Enter your handle (like alice.bsky.social) or your DID."));
        }
        if (!anonymousLimits.admitLogin()) { // before any fetch or row: logins cost us work for strangers
            return Response.fromResponse(page(429, Pages.landing(input,
                    "Too many sign-in attempts from your network just now; please wait a minute and try again.")))
                    .header("Retry-After", anonymousLimits.retryAfter().toSeconds()).build();
        }
        String browser = OAuthSessions.randomToken();
        try {
            OAuthFlow.Started started = flow.start(input, hash(browser));
            return Response.seeOther(started.authorizeUrl()).cookie(cookies.newLogin(browser)).build();
        } catch (IdentityException | OAuthException e) {
            LOG.infof("login for %s could not start: %s", input, e.getMessage());
            return page(400, Pages.landing(input, "We could not start the login: " + e.getMessage()));
        }
    }

    /** Someone typed /login or /logout into the address bar: both are form POSTs, the landing page has the form. */
    @GET
    @Path("{page: login|logout}")
    public Response toLanding() {
        return seeOther("/");
    }

    @GET
    @Path("oauth/callback")
    public Response callback(@Context HttpHeaders headers, @QueryParam("state") String state,
                             @QueryParam("code") String code, @QueryParam("iss") String iss,
                             @QueryParam("error") String error,
                             @QueryParam("error_description") String errorDescription) {
        if (state == null || state.isBlank()) {
            return problem(400, "Sign-in failed", "The answer from your PDS was incomplete (no state).", true);
        }
        byte[] browser = hash(cookies.login(headers).orElse(""));
        try {
            OAuthFlow.Finished finished = flow.finish(new OAuthFlow.Callback(state, Optional.ofNullable(code),
                    Optional.ofNullable(iss), Optional.ofNullable(error), Optional.ofNullable(errorDescription)),
                    browser);
            accounts.ensureExists(finished.login().did(), finished.login().handle());
            // a browser holds one session: the one it had (if any) ends, its tokens revoked
            current(headers).ifPresent(sessions::logout);
            OAuthSessions.Created created = sessions.create(finished);
            LOG.infof("%s logged in (session %s)", created.session().did(), created.session().id());
            return Response.seeOther(URI.create("/account"))
                    .cookie(cookies.newSession(created.cookie()), cookies.clearLogin())
                    .build();
        } catch (OAuthException e) {
            LOG.infof("login callback refused: %s", e.getMessage());
            return problem(400, "Sign-in failed", e.getMessage(), true);
        }
    }

    @GET
    @Path("account")
    public Response account(@Context HttpHeaders headers) {
        Optional<OAuthSession> session = current(headers);
        if (session.isEmpty()) {
            return seeOther("/");
        }
        return accountPage(200, session.get(), null, null);
    }

    @POST
    @Path("account/tokens")
    public Response createToken(@Context HttpHeaders headers, @RestForm String csrf, @RestForm String label,
                                @RestForm List<String> scope, @RestForm String expires) {
        Optional<OAuthSession> session = current(headers);
        if (session.isEmpty()) {
            return seeOther("/");
        }
        if (!csrfMatches(session.get(), csrf)) {
            return csrfRefused();
        }
        String name = label == null ? "" : label.strip();
        if (name.isEmpty() || name.length() > MAX_LABEL) {
            return accountPage(400, session.get(), null, "Give the token a label of 1 to " + MAX_LABEL + " characters.");
        }
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (String s : scope == null ? List.<String>of() : scope) {
            Optional<Scope> parsed = Scope.fromClaim(s).filter(Scope.TENANT_SCOPES::contains);
            if (parsed.isEmpty()) {
                return accountPage(400, session.get(), null, "Unknown scope: choose read and/or write.");
            }
            scopes.add(parsed.get());
        }
        if (scopes.isEmpty()) {
            return accountPage(400, session.get(), null, "Choose at least one scope (read, write).");
        }
        Optional<Instant> expiresAt;
        if (expires == null || expires.isBlank()) {
            expiresAt = Optional.empty();
        } else if (expires.matches("[0-9]{1,3}") && EXPIRY_DAYS.contains(Integer.parseInt(expires))) {
            expiresAt = Optional.of(Instant.now().plus(Duration.ofDays(Integer.parseInt(expires))));
        } else {
            return accountPage(400, session.get(), null, "Choose an expiry from the list.");
        }
        TokenService.Minted minted;
        try {
            minted = tokens.mint(session.get().did(), name, scopes, expiresAt);
        } catch (TooManyTokens e) {
            return accountPage(409, session.get(), null, e.details());
        }
        LOG.infof("%s created API token %s", session.get().did(), minted.id());
        // rendered directly, not redirected: the token must not be kept anywhere to show it again
        return accountPage(200, session.get(), new Pages.Minted(name, minted.token()), null);
    }

    /** Writes the consent record into the user's repo through their OAuth session, then starts watching it. */
    @POST
    @Path("account/repo/enroll")
    public Response enroll(@Context HttpHeaders headers, @RestForm String csrf) {
        return repoChange(headers, csrf, repoEnrollment::enroll, "We could not write the enrollment record to your repo: ");
    }

    @POST
    @Path("account/repo/unenroll")
    public Response unenroll(@Context HttpHeaders headers, @RestForm String csrf) {
        return repoChange(headers, csrf, repoEnrollment::unenroll, "We could not remove the enrollment record: ");
    }

    @FunctionalInterface
    private interface RepoChange {
        void apply(OAuthSession session) throws SQLException;
    }

    /** A state-changing form about the user's repo: session and CSRF checked, failures shown on the page. */
    private Response repoChange(HttpHeaders headers, String csrf, RepoChange change, String failure) {
        Optional<OAuthSession> session = current(headers);
        if (session.isEmpty()) {
            return seeOther("/");
        }
        if (!csrfMatches(session.get(), csrf)) {
            return csrfRefused();
        }
        try {
            change.apply(session.get());
            return seeOther("/account");
        } catch (EnrollmentRefused e) {
            return accountPage(e.status(), session.get(), null, e.details());
        } catch (XrpcException | SessionExpiredException | SQLException | IdentityException e) {
            LOG.infof("repo enrollment change for %s failed: %s", session.get().did(), e.getMessage());
            return accountPage(502, session.get(), null, failure + e.getMessage());
        }
    }

    private Pages.Repo repoView(String did) {
        try {
            return repoEnrollment.status(did);
        } catch (SQLException e) {
            LOG.warn("could not read the watcher state", e);
            return new Pages.Repo(null, null, null, "status unavailable", java.util.Map.of());
        }
    }

    @POST
    @Path("account/tokens/{id}/revoke")
    public Response revokeToken(@Context HttpHeaders headers, @PathParam("id") String id, @RestForm String csrf) {
        Optional<OAuthSession> session = current(headers);
        if (session.isEmpty()) {
            return seeOther("/");
        }
        if (!csrfMatches(session.get(), csrf)) {
            return csrfRefused();
        }
        UUID tokenId;
        try {
            tokenId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return accountPage(404, session.get(), null, "There is no such token.");
        }
        if (!tokens.revoke(session.get().did(), tokenId)) {
            return accountPage(404, session.get(), null, "There is no such token, or it was already revoked.");
        }
        LOG.infof("%s revoked API token %s", session.get().did(), tokenId);
        return seeOther("/account");
    }

    @POST
    @Path("logout")
    public Response logout(@Context HttpHeaders headers, @RestForm String csrf) {
        Optional<OAuthSession> session = current(headers);
        if (session.isEmpty()) {
            return Response.seeOther(URI.create("/")).cookie(cookies.clearSession()).build();
        }
        if (!csrfMatches(session.get(), csrf)) {
            return csrfRefused();
        }
        sessions.logout(session.get());
        LOG.infof("%s logged out (session %s)", session.get().did(), session.get().id());
        return Response.seeOther(URI.create("/")).cookie(cookies.clearSession()).build();
    }

    /** A page for anything unexpected in this resource: logged for us, a plain apology for the user. */
    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        if (e instanceof WebApplicationException web && web.getResponse().getStatus() < 500) {
            int status = web.getResponse().getStatus();
            return problem(status, "Request refused", status == 415
                    ? "Please use the forms on these pages." : "This request could not be handled.", false);
        }
        LOG.error("dashboard request failed", e);
        return problem(500, "Something went wrong", "Something went wrong on our side. Please try again.", false);
    }

    private Response accountPage(int status, OAuthSession session, Pages.Minted minted, String error) {
        Instant now = Instant.now();
        List<TokenView> list = tokens.list(session.did()).stream().map(t -> TokenView.of(t, now)).toList();
        Pages.Me me = new Pages.Me(session.did(), session.handle().orElse(session.did()), session.csrfToken());
        return page(status, Pages.account(me, list, minted, error, repoView(session.did())));
    }

    private Optional<OAuthSession> current(HttpHeaders headers) {
        return cookies.session(headers).flatMap(sessions::byCookie);
    }

    private static boolean csrfMatches(OAuthSession session, String provided) {
        return provided != null && MessageDigest.isEqual(session.csrfToken().getBytes(StandardCharsets.UTF_8),
                provided.getBytes(StandardCharsets.UTF_8));
    }

    private static Response csrfRefused() {
        return problem(403, "Request refused", "This form has expired or did not come from atpin. Go back, "
                + "reload the page and try again.", false);
    }

    private static Response problem(int status, String title, String message, boolean loginAgain) {
        // OAuth and identity messages are written to fit into a sentence; on their own they start a new one
        String sentence = message.isEmpty() ? message : Character.toUpperCase(message.charAt(0)) + message.substring(1);
        return page(status, Pages.problem(title, sentence, loginAgain));
    }

    private static Response page(int status, TemplateInstance page) {
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("utf-8")).entity(page)
                .header("Cache-Control", "no-store")
                .header("Referrer-Policy", "no-referrer")
                .header("X-Content-Type-Options", "nosniff")
                .header("X-Frame-Options", "DENY")
                .header("Content-Security-Policy",
                        "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'")
                .build();
    }

    private static Response seeOther(String path) {
        return Response.seeOther(URI.create(path)).header("Cache-Control", "no-store").build();
    }

    private static byte[] hash(String secret) {
        return OAuthSessions.hash(secret);
    }
}
