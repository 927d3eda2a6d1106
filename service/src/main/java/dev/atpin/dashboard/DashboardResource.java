package dev.atpin.dashboard;

import dev.atpin.abuse.AnonymousLimits;
import dev.atpin.accounts.Accounts;
import dev.atpin.auth.ApiToken;
import dev.atpin.auth.TokenService;
import dev.atpin.dashboard.repo.RepoEnrollment;
import dev.atpin.dashboard.usage.UsageView;
import dev.atpin.identity.IdentityException;
import dev.atpin.oauth.OAuthException;
import dev.atpin.oauth.OAuthFlow;
import dev.atpin.oauth.OAuthSession;
import dev.atpin.oauth.OAuthSessions;
import dev.atpin.pins.PinQuery;
import dev.atpin.pins.PinService;
import dev.atpin.pins.PinStatus;
import dev.atpin.pins.TextMatch;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The dashboard's entry: log in with an atproto account (the PDS's own sign-in), log out, and the overview of
 * the account (usage against the plan, pins by status, repo sync). The other pages live in {@code pins},
 * {@code tokens} and {@code repo}. Server-rendered; every state-changing form carries the session's CSRF token;
 * every failure is a friendly page, never a stack trace.
 */
@Path("/")
@Produces(MediaType.TEXT_HTML)
public class DashboardResource {

    private static final Logger LOG = Logger.getLogger(DashboardResource.class);
    private static final int MAX_HANDLE_INPUT = 300;

    private final OAuthFlow flow;
    private final OAuthSessions sessions;
    private final DashboardCookies cookies;
    private final DashboardHttp http;
    private final Accounts accounts;
    private final TokenService tokens;
    private final RepoEnrollment repo;
    private final UsageView usage;
    private final PinService pins;
    private final AnonymousLimits anonymousLimits;

    DashboardResource(OAuthFlow flow, OAuthSessions sessions, DashboardCookies cookies, DashboardHttp http,
                      Accounts accounts, TokenService tokens, RepoEnrollment repo, UsageView usage, PinService pins,
                      AnonymousLimits anonymousLimits) {
        this.anonymousLimits = anonymousLimits;
        this.flow = flow;
        this.sessions = sessions;
        this.cookies = cookies;
        this.http = http;
        this.accounts = accounts;
        this.tokens = tokens;
        this.repo = repo;
        this.usage = usage;
        this.pins = pins;
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
    public Response overview(@Context HttpHeaders headers) {
        return http.withSession(headers, session -> {
            try {
                List<ApiToken> all = tokens.list(session.did());
                Instant now = Instant.now();
                long active = all.stream().filter(t -> t.revokedAt == null
                        && (t.expiresAt == null || t.expiresAt.isAfter(now))).count();
                return DashboardHttp.page(200, Pages.overview(DashboardHttp.me(session), usage.of(session.did()),
                        counts(session.did()), repo.view(session.did()), all.size(), active));
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private Pages.Counts counts(String did) throws SQLException {
        long[] n = new long[4];
        String[] statuses = {PinStatus.QUEUED, PinStatus.PINNING, PinStatus.PINNED, PinStatus.FAILED};
        for (int i = 0; i < statuses.length; i++) {
            // a status filter alone is counted from the per-tenant counters, not by scanning
            n[i] = pins.list(did, new PinQuery(Set.of(), Optional.empty(), TextMatch.EXACT, Set.of(statuses[i]),
                    Optional.empty(), Optional.empty(), 1, Map.of())).count();
        }
        return new Pages.Counts(n[0], n[1], n[2], n[3]);
    }

    @POST
    @Path("logout")
    public Response logout(@Context HttpHeaders headers, @RestForm String csrf) {
        Optional<OAuthSession> session = http.current(headers);
        if (session.isEmpty()) {
            return Response.seeOther(URI.create("/")).cookie(cookies.clearSession()).build();
        }
        if (!DashboardHttp.csrfMatches(session.get(), csrf)) {
            return DashboardHttp.csrfRefused();
        }
        sessions.logout(session.get());
        LOG.infof("%s logged out (session %s)", session.get().did(), session.get().id());
        return Response.seeOther(URI.create("/")).cookie(cookies.clearSession()).build();
    }

    /** A page for anything unexpected in this resource: logged for us, a plain apology for the user. */
    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        return DashboardHttp.unexpected(e);
    }

    private Optional<OAuthSession> current(HttpHeaders headers) {
        return http.current(headers);
    }

    private static Response problem(int status, String title, String message, boolean loginAgain) {
        return DashboardHttp.problem(status, title, message, loginAgain);
    }

    private static Response page(int status, TemplateInstance page) {
        return DashboardHttp.page(status, page);
    }

    private static Response seeOther(String path) {
        return DashboardHttp.seeOther(path);
    }

    private static byte[] hash(String secret) {
        return OAuthSessions.hash(secret);
    }
}
