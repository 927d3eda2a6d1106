package dev.atpin.oauth;

import dev.atpin.oauth.client.ClientSettings;
import dev.atpin.oauth.dpop.DpopHttp;
import dev.atpin.testing.Browser;
import dev.atpin.testing.DashboardLogin.LoggedIn;
import dev.atpin.testing.DashboardLogin;
import dev.atpin.testing.PdsServer;
import dev.atpin.testing.PdsSignIn;
import dev.atpin.testing.PdsTestResource.InjectPds;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Logging in with an atproto account against the real reference PDS: handle → DID → PDS → authorization
 * server → PAR → sign-in and consent at the PDS → our callback → tokens → session → API tokens; and every
 * refusal the atproto OAuth profile asks of a client.
 */
@QuarkusTest
class OAuthLoginTest {

    private static final Pattern NEW_TOKEN = Pattern.compile("<textarea[^>]*id=\"new-token\"[^>]*>([^<]+)</textarea>");

    @InjectPds
    PdsServer pds;

    @Inject
    ClientSettings client;

    @Inject
    DpopHttp dpop;

    @Inject
    MeterRegistry metrics;

    @Inject
    OAuthSessions sessions;

    @Inject
    TokenClient tokens;

    @Inject
    XrpcClient xrpc;

    @Inject
    AgroalDataSource db;

    private String base;

    @BeforeEach
    void base() {
        base = client.publicUrl().toString();
    }

    @Test
    void aUserLogsInAtTheirPdsAndMintsATokenThatWorksOnThePinningApi() {
        PdsServer.Account alice = pds.createAccount("alice" + suffix());
        Browser browser = new Browser();

        String authorize = DashboardLogin.startLogin(browser, base, alice.handle());
        assertThat(authorize).startsWith(pds.pdsUrl() + "/oauth/authorize?")
                .contains("request_uri=").contains("client_id=");
        assertThat(browser.cookie(base, "atpin_login")).isPresent();

        String callback = PdsSignIn.authorize(browser, authorize, alice);
        assertThat(callback).startsWith(base + "/oauth/callback?").contains("code=")
                .contains("iss=" + enc(pds.pdsUrl()));

        HttpResponse<String> back = browser.get(callback);
        assertThat(back.statusCode()).isEqualTo(303);
        assertThat(Browser.location(back)).isEqualTo(base + "/account");
        String setCookie = back.headers().allValues("Set-Cookie").stream()
                .filter(c -> c.startsWith("atpin_session=")).findFirst().orElseThrow();
        assertThat(setCookie).contains("HttpOnly").contains("SameSite=Lax").doesNotContain("Secure");
        assertThat(browser.cookie(base, "atpin_login")).isEmpty();

        HttpResponse<String> page = browser.get(base + "/account");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains(alice.handle()).contains(alice.did()).contains("No tokens yet");
        String csrf = DashboardLogin.csrfOf(page.body());

        HttpResponse<String> created = browser.postForm(base + "/account/tokens", Map.of("csrf", csrf,
                "label", "laptop", "scope", List.of("read", "write"), "expires", "30"));
        assertThat(created.statusCode()).isEqualTo(200);
        Matcher token = NEW_TOKEN.matcher(created.body());
        assertThat(token.find()).as("the new token is shown once").isTrue();

        HttpResponse<String> pins = browser.navigate(base + "/psa/pins",
                Browser.headers("Authorization", "Bearer " + token.group(1).strip()));
        assertThat(pins.statusCode()).isEqualTo(200);
        assertThat(pins.body()).contains("\"count\":0");

        // the tokens are listed on their own page; the token itself is never shown again
        assertThat(browser.get(base + "/account/tokens").body()).contains("laptop").doesNotContain(token.group(1).strip());
        assertThat(accountHandle(alice.did())).isEqualTo(alice.handle());
    }

    @Test
    void theFirstPushedAuthorizationRequestGetsUseDpopNonceAndSucceedsOnTheRetry() {
        PdsServer.Account bob = pds.createAccount("bob" + suffix());
        dpop.nonces().forget(URI.create(pds.pdsUrl()));
        double before = retries("authorization");

        LoggedIn loggedIn = DashboardLogin.login(base, bob);

        // one retry for the PAR; the token request then reuses the nonce the PAR retry was given
        assertThat(retries("authorization") - before).isEqualTo(1.0);
        assertThat(dpop.nonces().get(URI.create(pds.pdsUrl()))).isPresent();
        assertThat(loggedIn.csrf()).isNotBlank();
    }

    @Test
    void aRotatedNonceCostsOneRetryAndTheNewNonceIsKept() {
        PdsServer.Account carol = pds.createAccount("carol" + suffix());
        dpop.nonces().put(URI.create(pds.pdsUrl()), "a-nonce-the-server-no-longer-accepts");
        double before = retries("authorization");

        DashboardLogin.login(base, carol);

        assertThat(retries("authorization") - before).isEqualTo(1.0);
        assertThat(dpop.nonces().get(URI.create(pds.pdsUrl()))).hasValueSatisfying(
                n -> assertThat(n).isNotEqualTo("a-nonce-the-server-no-longer-accepts"));
    }

    @Test
    void aCallbackThatNamesAnotherIssuerIsRefused() {
        PdsServer.Account dave = pds.createAccount("dave" + suffix());
        Browser browser = new Browser();
        String callback = PdsSignIn.authorize(browser, DashboardLogin.startLogin(browser, base, dave.handle()), dave);

        String forged = callback.replace("iss=" + enc(pds.pdsUrl()), "iss=" + enc("https://evil.example.com"));
        HttpResponse<String> response = browser.get(forged);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("did not come from the server you signed in at")
                .doesNotContain("Exception");
        assertThat(browser.cookie(base, "atpin_session")).isEmpty();
        // the state was spent by the refused attempt: the genuine callback cannot be used afterwards either
        assertThat(browser.get(callback).statusCode()).isEqualTo(400);
    }

    @Test
    void aCallbackWithoutIssIsRefused() {
        PdsServer.Account erin = pds.createAccount("erin" + suffix());
        Browser browser = new Browser();
        String callback = PdsSignIn.authorize(browser, DashboardLogin.startLogin(browser, base, erin.handle()), erin);

        HttpResponse<String> response = browser.get(callback.replaceAll("[&?]iss=[^&]*", ""));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(browser.cookie(base, "atpin_session")).isEmpty();
    }

    @Test
    void tokensForAnotherAccountThanTheOneEnteredAreRefusedAndRevoked() {
        PdsServer.Account frank = pds.createAccount("frank" + suffix());
        PdsServer.Account mallory = pds.createAccount("mallory" + suffix());
        Browser browser = new Browser();
        String authorize = DashboardLogin.startLogin(browser, base, frank.handle());

        // at the PDS the user signs in as someone else: the token's sub is not the DID we resolved
        String callback = PdsSignIn.authorize(browser, authorize, mallory);
        HttpResponse<String> response = browser.get(callback);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("signed in as a different account");
        assertThat(browser.cookie(base, "atpin_session")).isEmpty();
        assertThat(sessions.latestForDid(mallory.did())).isEmpty();
        assertThat(sessions.latestForDid(frank.did())).isEmpty();
    }

    @Test
    void aStateWorksOnlyOnce() {
        PdsServer.Account grace = pds.createAccount("grace" + suffix());
        Browser browser = new Browser();
        String callback = PdsSignIn.authorize(browser, DashboardLogin.startLogin(browser, base, grace.handle()), grace);
        assertThat(browser.get(callback).statusCode()).isEqualTo(303);

        HttpResponse<String> replay = browser.get(callback);

        assertThat(replay.statusCode()).isEqualTo(400);
        assertThat(replay.body()).contains("unknown or was already used");
    }

    @Test
    void anUnknownStateIsRefused() {
        HttpResponse<String> response = new Browser().get(base + "/oauth/callback?state=" + UUID.randomUUID()
                + "&code=whatever&iss=" + enc(pds.pdsUrl()));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("unknown or was already used").contains("Log in again");
    }

    @Test
    void aCallbackOpenedInAnotherBrowserIsRefused() {
        PdsServer.Account heidi = pds.createAccount("heidi" + suffix());
        Browser victim = new Browser();
        Browser attacker = new Browser();
        String callback = PdsSignIn.authorize(attacker,
                DashboardLogin.startLogin(attacker, base, heidi.handle()), heidi);

        HttpResponse<String> response = victim.get(callback);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("started in another browser");
        assertThat(victim.cookie(base, "atpin_session")).isEmpty();
    }

    @Test
    void theXrpcHelperWritesAndDeletesRecordsInTheUsersRepoWithTheSession() {
        PdsServer.Account ivan = pds.createAccount("ivan" + suffix());
        DashboardLogin.login(base, ivan);
        OAuthSession session = sessions.latestForDid(ivan.did()).orElseThrow();
        assertThat(session.tokens().scope()).contains("atproto").contains("repo:dev.atpin.pin");
        String rkey = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";
        dpop.nonces().forget(session.pds()); // the resource server's nonce dance, too
        double before = retries("resource");

        var created = xrpc.createRecord(session, "dev.atpin.pin", rkey,
                Map.of("cid", rkey, "createdAt", "2026-01-01T00:00:00.000Z"));

        assertThat(retries("resource") - before).isEqualTo(1.0);
        assertThat(created.path("uri").asText()).isEqualTo("at://" + ivan.did() + "/dev.atpin.pin/" + rkey);
        assertThat(pds.getRecord(ivan.did(), "dev.atpin.pin", rkey)).isPresent();
        xrpc.deleteRecord(session, "dev.atpin.pin", rkey);
        assertThat(pds.getRecord(ivan.did(), "dev.atpin.pin", rkey)).isEmpty();
    }

    @Test
    void aCollectionOutsideTheGrantedScopesIsRefusedByThePds() {
        PdsServer.Account judy = pds.createAccount("judy" + suffix());
        DashboardLogin.login(base, judy);
        OAuthSession session = sessions.latestForDid(judy.did()).orElseThrow();

        assertThatThrownBy(() -> xrpc.createRecord(session, "app.bsky.feed.post", null,
                Map.of("text", "hi", "createdAt", "2026-01-01T00:00:00.000Z")))
                .isInstanceOf(XrpcException.class)
                .satisfies(e -> assertThat(((XrpcException) e).status()).isIn(401, 403));
    }

    @Test
    void anExpiredAccessTokenIsRefreshedOnceEvenWhenTwoCallersNeedItAtTheSameTime() throws Exception {
        PdsServer.Account ken = pds.createAccount("ken" + suffix());
        DashboardLogin.login(base, ken);
        OAuthSession before = sessions.latestForDid(ken.did()).orElseThrow();
        expireAccessToken(before.id());
        OAuthSession stale = sessions.byId(before.id()).orElseThrow();

        // Both callers hold the stale session; a refresh token is single-use, so if both spent it the second
        // refresh would fail with invalid_grant and end the session. They run on the common pool on purpose:
        // on this 2-core machine it has one worker, which once stalled HTTP completions (see SafeHttpClient).
        CompletableFuture<?> one = CompletableFuture.runAsync(() -> xrpc.createRecord(stale, "dev.atpin.pin", "one",
                Map.of("cid", "one", "createdAt", "2026-01-01T00:00:00.000Z")));
        CompletableFuture<?> two = CompletableFuture.runAsync(() -> xrpc.createRecord(stale, "dev.atpin.pin", "two",
                Map.of("cid", "two", "createdAt", "2026-01-01T00:00:00.000Z")));
        CompletableFuture.allOf(one, two).get(30, java.util.concurrent.TimeUnit.SECONDS);

        assertThat(pds.getRecord(ken.did(), "dev.atpin.pin", "one")).isPresent();
        assertThat(pds.getRecord(ken.did(), "dev.atpin.pin", "two")).isPresent();
        OAuthSession after = sessions.byId(before.id()).orElseThrow();
        assertThat(after.tokens().accessToken()).isNotEqualTo(before.tokens().accessToken());
        assertThat(after.tokens().refreshToken()).isNotEqualTo(before.tokens().refreshToken());
        assertThat(after.accessTokenExpiresBefore(java.time.Instant.now())).isFalse();
    }

    @Test
    void loggingInAgainInTheSameBrowserEndsTheSessionItHad() {
        PdsServer.Account mia = pds.createAccount("mia" + suffix());
        LoggedIn first = DashboardLogin.login(base, mia);
        OAuthSession before = sessions.latestForDid(mia.did()).orElseThrow();

        String callback = PdsSignIn.authorize(first.browser(),
                DashboardLogin.startLogin(first.browser(), base, mia.handle()), mia);
        assertThat(first.browser().get(callback).statusCode()).isEqualTo(303);

        assertThat(sessions.byId(before.id())).isEmpty();
        assertThat(sessions.latestForDid(mia.did())).hasValueSatisfying(s -> assertThat(s.id()).isNotEqualTo(before.id()));
        assertThat(first.browser().get(base + "/account").statusCode()).isEqualTo(200);
    }

    @Test
    void logoutRevokesTheOAuthTokensAndEndsTheSession() {
        PdsServer.Account leo = pds.createAccount("leo" + suffix());
        LoggedIn loggedIn = DashboardLogin.login(base, leo);
        OAuthSession session = sessions.latestForDid(leo.did()).orElseThrow();

        HttpResponse<String> out = loggedIn.browser().postForm(base + "/logout", Map.of("csrf", loggedIn.csrf()));

        assertThat(out.statusCode()).isEqualTo(303);
        assertThat(loggedIn.browser().cookie(base, "atpin_session")).isEmpty();
        assertThat(sessions.byId(session.id())).isEmpty();
        // the refresh token was revoked at the PDS: it cannot be spent any more
        assertThatThrownBy(() -> tokens.refresh(session)).isInstanceOf(SessionExpiredException.class);
        assertThat(loggedIn.browser().get(base + "/account").statusCode()).isEqualTo(303);
    }

    private double retries(String server) {
        Counter counter = metrics.find(DpopHttp.RETRIES_METRIC).tag("server", server).counter();
        return counter == null ? 0 : counter.count();
    }

    private void expireAccessToken(UUID session) throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "update oauth_session set access_expires_at = now() - interval '1 minute' where id = ?")) {
            s.setObject(1, session);
            assertThat(s.executeUpdate()).isEqualTo(1);
        }
    }

    private String accountHandle(String did) {
        try (Connection c = db.getConnection();
             PreparedStatement s = c.prepareStatement("select handle from account where did = ?")) {
            s.setString(1, did);
            var r = s.executeQuery();
            return r.next() ? r.getString(1) : null;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String suffix() {
        return UUID.randomUUID().toString().substring(0, 6);
    }
}
