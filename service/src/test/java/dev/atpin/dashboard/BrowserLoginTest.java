package dev.atpin.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import dev.atpin.oauth.client.ClientSettings;
import dev.atpin.testing.Chromium;
import dev.atpin.testing.PdsServer;
import dev.atpin.testing.PdsTestResource.InjectPds;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The login as a person does it, in headless Chromium (Debian's, driven by Playwright; no browser download):
 * our landing page, the PDS's own sign-in and consent pages, back to our account page, a token that works.
 * Without Chromium the test is skipped locally and fails under {@code CI=true} (.ci/run installs it); the
 * whole dashboard is visited by {@link DashboardBrowserTest}.
 */
@QuarkusTest
class BrowserLoginTest {

    private static Chromium chromium;

    @InjectPds
    PdsServer pds;

    @Inject
    ClientSettings client;

    @BeforeAll
    static void launch() {
        chromium = Chromium.launch();
    }

    @AfterAll
    static void close() {
        if (chromium != null) {
            chromium.close();
        }
    }

    @Test
    void aPersonLogsInAtTheirPdsAndCreatesATokenThatWorks() throws Exception {
        PdsServer.Account account = pds.createAccount("browser" + UUID.randomUUID().toString().substring(0, 6));
        String base = client.publicUrl().toString();
        try (var context = chromium.browser().newContext()) {
            Page page = context.newPage();
            // the PDS's own pages: sign in, then authorize our narrow scopes
            Chromium.logIn(page, base, pds, account);
            assertThat(page.content()).contains(account.handle());
            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("API tokens").setExact(true)).click();
            page.waitForURL(base + "/account/tokens");
            assertThat(page.content()).contains("No tokens yet");
            page.getByLabel("Label").fill("from the browser");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create token")).click();
            String token = page.locator("#new-token").inputValue().strip();

            HttpResponse<String> pins = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(base + "/psa/pins")).header("Authorization", "Bearer " + token).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(pins.statusCode()).isEqualTo(200);

            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Log out")).click();
            page.waitForURL(base + "/");
            assertThat(context.cookies(base).stream().map(c -> c.name)).doesNotContain("atpin_session");
        }
    }

    @Test
    void denyingAccessAtThePdsEndsOnAFriendlyPage() {
        PdsServer.Account account = pds.createAccount("deny" + UUID.randomUUID().toString().substring(0, 6));
        String base = client.publicUrl().toString();
        try (var context = chromium.browser().newContext()) {
            Page page = context.newPage();
            Chromium.startLogIn(page, base, pds, account);
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Deny access")).click();

            page.waitForURL(Pattern.compile(Pattern.quote(base) + "/oauth/callback.*"));
            assertThat(page.content()).contains("Sign-in was cancelled at your PDS").contains("Log in again");
        }
    }
}
