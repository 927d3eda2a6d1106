package dev.atpin.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atpin.oauth.client.ClientSettings;
import dev.atpin.testing.Browser;
import dev.atpin.testing.DashboardLogin.LoggedIn;
import dev.atpin.testing.DashboardLogin;
import dev.atpin.testing.PdsServer;
import dev.atpin.testing.PdsTestResource.InjectPds;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The dashboard pages: friendly refusals, CSRF on every state-changing form, sessions by cookie only. */
@QuarkusTest
class DashboardTest {

    private static final Pattern REVOKE = Pattern.compile("action=\"/account/tokens/([0-9a-f-]{36})/revoke\"");
    private static final Pattern NEW_TOKEN = Pattern.compile("id=\"new-token\"[^>]*>([^<]+)</textarea>");

    @InjectPds
    PdsServer pds;

    @Inject
    ClientSettings client;

    private String base;

    @BeforeEach
    void base() {
        base = client.publicUrl().toString();
    }

    @Test
    void theLandingPageOffersTheLoginForm() {
        HttpResponse<String> page = new Browser().get(base + "/");

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(page.headers().firstValue("Content-Security-Policy")).isPresent();
        assertThat(page.body()).contains("<form method=\"post\" action=\"/login\"").contains("name=\"handle\"");
    }

    @Test
    void anEmptyHandleGetsAFriendlyMessage() {
        HttpResponse<String> page = new Browser().postForm(base + "/login", Map.of("handle", "  "));

        assertThat(page.statusCode()).isEqualTo(400);
        assertThat(page.body()).contains("Enter your handle");
    }

    @Test
    void aHandleThatDoesNotResolveGetsAFriendlyMessage() {
        HttpResponse<String> page = new Browser().postForm(base + "/login",
                Map.of("handle", "nobody-" + UUID.randomUUID().toString().substring(0, 8) + ".test"));

        assertThat(page.statusCode()).isEqualTo(400);
        assertThat(page.body()).contains("We could not start the login").doesNotContain("Exception")
                .doesNotContain("at dev.atpin");
    }

    @Test
    void gibberishGetsAFriendlyMessageNotAnError() {
        for (String input : List.of("not a handle", "did:nope", "<script>alert(1)</script>", "x".repeat(400))) {
            HttpResponse<String> page = new Browser().postForm(base + "/login", Map.of("handle", input));
            assertThat(page.statusCode()).as(input).isEqualTo(400);
            assertThat(page.body()).as(input).doesNotContain("<script>alert(1)</script>");
        }
    }

    @Test
    void typingTheFormAddressesIntoTheAddressBarLeadsToTheLandingPage() {
        for (String path : List.of("/login", "/logout")) {
            HttpResponse<String> page = new Browser().get(base + path);
            assertThat(page.statusCode()).as(path).isEqualTo(303);
            assertThat(Browser.location(page)).as(path).isEqualTo(base + "/");
        }
    }

    @Test
    void theAccountPageWithoutASessionSendsYouToTheLoginPage() {
        HttpResponse<String> page = new Browser().get(base + "/account");

        assertThat(page.statusCode()).isEqualTo(303);
        assertThat(Browser.location(page)).isEqualTo(base + "/");
    }

    @Test
    void postsWithoutASessionCookieAreSentToTheLoginPage() {
        Browser anonymous = new Browser();
        for (String path : List.of("/account/tokens", "/account/tokens/" + UUID.randomUUID() + "/revoke")) {
            HttpResponse<String> response = anonymous.postForm(base + path,
                    Map.of("csrf", "x", "label", "t", "scope", "read"));
            assertThat(response.statusCode()).as(path).isEqualTo(303);
            assertThat(Browser.location(response)).as(path).isEqualTo(base + "/");
        }
    }

    @Test
    void creatingATokenWithoutTheCsrfTokenIsRefused() {
        LoggedIn user = DashboardLogin.login(base, pds.createAccount("csrf" + suffix()));

        HttpResponse<String> missing = user.browser().postForm(base + "/account/tokens",
                Map.of("label", "sneaky", "scope", "write"));
        HttpResponse<String> wrong = user.browser().postForm(base + "/account/tokens",
                Map.of("csrf", "not-the-token", "label", "sneaky", "scope", "write"));

        assertThat(missing.statusCode()).isEqualTo(403);
        assertThat(wrong.statusCode()).isEqualTo(403);
        assertThat(wrong.body()).contains("did not come from atpin");
        assertThat(user.browser().get(base + "/account/tokens").body()).doesNotContain("sneaky");
    }

    @Test
    void revokingATokenWithoutTheCsrfTokenIsRefusedAndWithItTheTokenStopsWorking() {
        LoggedIn user = DashboardLogin.login(base, pds.createAccount("revoke" + suffix()));
        String token = create(user, "ci");
        String id = tokenId(user);

        HttpResponse<String> refused = user.browser().postForm(base + "/account/tokens/" + id + "/revoke", Map.of());
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(pins(token)).isEqualTo(200);

        HttpResponse<String> revoked = user.browser().postForm(base + "/account/tokens/" + id + "/revoke",
                Map.of("csrf", user.csrf()));
        assertThat(revoked.statusCode()).isEqualTo(303);
        assertThat(pins(token)).isEqualTo(401);
        assertThat(user.browser().get(base + "/account/tokens").body()).contains("revoked");
    }

    @Test
    void logoutWithoutTheCsrfTokenIsRefused() {
        LoggedIn user = DashboardLogin.login(base, pds.createAccount("logout" + suffix()));

        assertThat(user.browser().postForm(base + "/logout", Map.of()).statusCode()).isEqualTo(403);
        assertThat(user.browser().get(base + "/account").statusCode()).isEqualTo(200);
    }

    @Test
    void aTokenFormWithBadInputIsAnsweredWithAMessage() {
        LoggedIn user = DashboardLogin.login(base, pds.createAccount("form" + suffix()));

        HttpResponse<String> noScope = user.browser().postForm(base + "/account/tokens",
                Map.of("csrf", user.csrf(), "label", "x"));
        HttpResponse<String> badScope = user.browser().postForm(base + "/account/tokens",
                Map.of("csrf", user.csrf(), "label", "x", "scope", "admin"));
        HttpResponse<String> badExpiry = user.browser().postForm(base + "/account/tokens",
                Map.of("csrf", user.csrf(), "label", "x", "scope", "read", "expires", "-1"));
        HttpResponse<String> noLabel = user.browser().postForm(base + "/account/tokens",
                Map.of("csrf", user.csrf(), "label", " ", "scope", "read"));
        HttpResponse<String> unknownToken = user.browser().postForm(base + "/account/tokens/not-a-uuid/revoke",
                Map.of("csrf", user.csrf()));

        assertThat(noScope.statusCode()).isEqualTo(400);
        assertThat(noScope.body()).contains("at least one scope");
        assertThat(badScope.statusCode()).isEqualTo(400);
        assertThat(badExpiry.statusCode()).isEqualTo(400);
        assertThat(noLabel.statusCode()).isEqualTo(400);
        assertThat(unknownToken.statusCode()).isEqualTo(404);
    }

    @Test
    void aReadOnlyTokenCanListPinsButNotAddThem() {
        LoggedIn user = DashboardLogin.login(base, pds.createAccount("scopes" + suffix()));
        HttpResponse<String> created = user.browser().postForm(base + "/account/tokens",
                Map.of("csrf", user.csrf(), "label", "reader", "scope", "read"));
        String token = newToken(created);

        assertThat(pins(token)).isEqualTo(200);
        HttpResponse<String> add = user.browser().postJson(base + "/psa/pins",
                "{\"cid\":\"bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku\"}",
                Browser.headers("Authorization", "Bearer " + token));
        assertThat(add.statusCode()).isEqualTo(403);
    }

    @Test
    void theLoopbackClientServesNoClientMetadataOrJwks() {
        Browser browser = new Browser();
        assertThat(browser.get(base + "/oauth/client-metadata.json").statusCode()).isEqualTo(404);
        assertThat(browser.get(base + "/oauth/jwks.json").statusCode()).isEqualTo(404);
    }

    private String create(LoggedIn user, String label) {
        return newToken(user.browser().postForm(base + "/account/tokens",
                Map.of("csrf", user.csrf(), "label", label, "scope", List.of("read", "write"))));
    }

    private static String newToken(HttpResponse<String> page) {
        assertThat(page.statusCode()).isEqualTo(200);
        Matcher m = NEW_TOKEN.matcher(page.body());
        assertThat(m.find()).isTrue();
        return m.group(1).strip();
    }

    private String tokenId(LoggedIn user) {
        Matcher m = REVOKE.matcher(user.browser().get(base + "/account/tokens").body());
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    private int pins(String token) {
        return new Browser().navigate(base + "/psa/pins", Browser.headers("Authorization", "Bearer " + token))
                .statusCode();
    }

    private static String suffix() {
        return UUID.randomUUID().toString().substring(0, 6);
    }
}
