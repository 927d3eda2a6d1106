package dev.atpin.dashboard.tokens;

import dev.atpin.auth.Scope;
import dev.atpin.auth.TokenService;
import dev.atpin.auth.TooManyTokens;
import dev.atpin.dashboard.DashboardHttp;
import dev.atpin.oauth.OAuthConfig;
import dev.atpin.oauth.OAuthSession;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
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

/** Pinning Service API tokens: create (shown once), list with label, scopes, expiry and last use, revoke. */
@Path("/account/tokens")
@Produces(MediaType.TEXT_HTML)
public class TokensResource {

    private static final Logger LOG = Logger.getLogger(TokensResource.class);
    private static final int MAX_LABEL = 100;
    private static final Set<Integer> EXPIRY_DAYS = Set.of(7, 30, 90, 365);

    private final DashboardHttp http;
    private final TokenService tokens;
    private final String psaUrl;

    TokensResource(DashboardHttp http, TokenService tokens, OAuthConfig oauth) {
        this.http = http;
        this.tokens = tokens;
        this.psaUrl = oauth.publicUrl().toString().replaceAll("/+$", "") + "/psa";
    }

    @GET
    public Response list(@Context HttpHeaders headers) {
        return http.withSession(headers, session -> page(200, session, null, null));
    }

    @POST
    public Response create(@Context HttpHeaders headers, @RestForm String csrf, @RestForm String label,
                           @RestForm List<String> scope, @RestForm String expires) {
        return http.withForm(headers, csrf, session -> create(session, label, scope, expires));
    }

    private Response create(OAuthSession session, String label, List<String> scope, String expires) {
        String name = label == null ? "" : label.strip();
        if (name.isEmpty() || name.length() > MAX_LABEL) {
            return page(400, session, null, "Give the token a label of 1 to " + MAX_LABEL + " characters.");
        }
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (String s : scope == null ? List.<String>of() : scope) {
            Optional<Scope> parsed = Scope.fromClaim(s).filter(Scope.TENANT_SCOPES::contains);
            if (parsed.isEmpty()) {
                return page(400, session, null, "Unknown scope: choose read and/or write.");
            }
            scopes.add(parsed.get());
        }
        if (scopes.isEmpty()) {
            return page(400, session, null, "Choose at least one scope (read, write).");
        }
        Optional<Instant> expiresAt;
        if (expires == null || expires.isBlank()) {
            expiresAt = Optional.empty();
        } else if (expires.matches("[0-9]{1,3}") && EXPIRY_DAYS.contains(Integer.parseInt(expires))) {
            expiresAt = Optional.of(Instant.now().plus(Duration.ofDays(Integer.parseInt(expires))));
        } else {
            return page(400, session, null, "Choose an expiry from the list.");
        }
        TokenService.Minted minted;
        try {
            minted = tokens.mint(session.did(), name, scopes, expiresAt);
        } catch (TooManyTokens e) {
            return page(409, session, null, e.details());
        }
        LOG.infof("%s created API token %s", session.did(), minted.id());
        // rendered directly, not redirected: the token must not be kept anywhere to show it again
        return page(200, session, new TokenPages.Minted(name, minted.token(),
                "ipfs pin remote service add atpin " + psaUrl + " " + minted.token()), null);
    }

    @POST
    @Path("{id}/revoke")
    public Response revoke(@Context HttpHeaders headers, @PathParam("id") String id, @RestForm String csrf) {
        return http.withForm(headers, csrf, session -> {
            UUID tokenId;
            try {
                tokenId = UUID.fromString(id);
            } catch (IllegalArgumentException e) {
                return page(404, session, null, "There is no such token.");
            }
            if (!tokens.revoke(session.did(), tokenId)) {
                return page(404, session, null, "There is no such token, or it was already revoked.");
            }
            LOG.infof("%s revoked API token %s", session.did(), tokenId);
            return DashboardHttp.seeOther("/account/tokens");
        });
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        return DashboardHttp.unexpected(e);
    }

    private Response page(int status, OAuthSession session, TokenPages.Minted minted, String error) {
        Instant now = Instant.now();
        List<TokenView> list = tokens.list(session.did()).stream().map(t -> TokenView.of(t, now)).toList();
        return DashboardHttp.page(status, TokenPages.tokens(DashboardHttp.me(session), list, minted, error, psaUrl));
    }
}
