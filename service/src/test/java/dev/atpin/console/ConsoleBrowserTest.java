package dev.atpin.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import com.microsoft.playwright.options.FormData;
import com.microsoft.playwright.options.RequestOptions;
import dev.atpin.auth.TokenService;
import dev.atpin.oauth.OAuthConfig;
import dev.atpin.operators.keycloak.KeycloakSetup;
import dev.atpin.testing.Chromium;
import dev.atpin.testing.Cids;
import dev.atpin.testing.Operators;
import dev.atpin.testing.RepoPaths;
import dev.atpin.testing.Tenants;
import dev.atpin.testing.Tenants.Tenant;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator console as an operator uses it, in headless Chromium (Debian's, driven by Playwright): signing in
 * at Keycloak's own login page, finding an account, changing its plan, suspending it, reading the audit log, the
 * service pages, signing out. Screenshots go to {@code target/screenshots}, or to the directory named by
 * {@code -Datpin.test.screenshots} (the README's pictures come from {@code docs/screenshots}).
 */
@QuarkusTest
class ConsoleBrowserTest {

    private static Chromium chromium;

    @Inject
    KeycloakSetup setup;

    @Inject
    TokenService tokens;

    @Inject
    OAuthConfig web;

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

    @BeforeEach
    void provision() {
        Operators.provisioned(setup);
    }

    @Test
    void anAdminSignsInAtKeycloakChangesThePlanSuspendsTheAccountAndSeesItAudited() {
        Tenant user = Tenants.fresh(tokens);
        user.api().body(Map.of("cid", Cids.unfetchable(), "name", "holiday photos")).post("/psa/pins").then().statusCode(202);
        String base = base();
        try (BrowserContext context = chromium.browser().newContext(new Browser.NewContextOptions().setViewportSize(1280, 900))) {
            Page page = context.newPage();
            page.navigate(base + "/console/accounts?q=" + user.did());

            signIn(page, KeycloakSetup.DEMO_ADMIN, true);
            page.waitForURL(Pattern.compile(Pattern.quote(base + "/console/accounts") + ".*"));
            assertThat(page.content()).contains(user.did()).contains("operator-admin · atpin-admin");
            screenshot(page, "console-accounts.png");

            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName(user.did())).click();
            page.waitForURL(base + "/console/accounts/" + user.did());
            page.locator("#plan-choice").selectOption("pro");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Save plan and overrides")).click();
            page.waitForURL(Pattern.compile(".*notice=.*"));
            assertThat(page.locator("#plan").textContent()).isEqualTo("pro");

            page.locator("#suspend-reason").fill("phishing pages, ticket #4711");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Suspend the account")).click();
            page.waitForURL(Pattern.compile(".*notice=.*"));
            assertThat(page.locator("#status-reason").textContent()).isEqualTo("phishing pages, ticket #4711");
            assertThat(page.locator("table.audit").textContent())
                    .contains("account.suspend").contains("account.change").contains("operator-admin")
                    .contains("free → pro").contains("phishing pages, ticket #4711");
            screenshot(page, "console-account.png");

            // the tenant's writes are now refused
            user.api().body(Map.of("cid", Cids.unfetchable())).post("/psa/pins").then().statusCode(403)
                    .body("error.reason", equalTo("ACCOUNT_SUSPENDED"));

            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("1 pin request(s)")).click();
            assertThat(page.content()).contains("holiday photos");
            screenshot(page, "console-pins.png");
            for (String section : List.of("Nodes", "Queues", "Watcher", "Audit log")) {
                page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName(section).setExact(true)).click();
                assertThat(page.locator("h1").first().textContent()).isNotBlank();
                if (section.equals("Nodes")) {
                    assertThat(page.content()).contains("node-a").contains("node-b");
                }
                screenshot(page, "console-" + section.toLowerCase().replace(' ', '-') + ".png");
            }

            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Sign out")).click();
            try {
                page.waitForURL(Pattern.compile(Pattern.quote(base + "/console/signed-out") + ".*"));
            } catch (com.microsoft.playwright.TimeoutError e) {
                screenshot(page, "console-sign-out-failed.png");
                throw new AssertionError("signing out ended at " + page.url() + ": " + page.locator("body").innerText(), e);
            }
            page.navigate(base + "/console/accounts");
            page.waitForURL(Pattern.compile(Pattern.quote(Operators.keycloakUrl()) + "/realms/atpin/.*"));
        }
    }

    @Test
    void aViewerSeesThePagesButNoFormsAndAForgedChangeIsRefused() {
        Tenant user = Tenants.fresh(tokens);
        String base = base();
        try (BrowserContext context = chromium.browser().newContext(new Browser.NewContextOptions().setViewportSize(1280, 900))) {
            Page page = context.newPage();
            page.navigate(base + "/console/accounts/" + user.did());
            signIn(page, KeycloakSetup.DEMO_VIEWER, false);
            page.waitForURL(base + "/console/accounts/" + user.did());
            assertThat(page.content()).contains("changes need the atpin-admin role").doesNotContain("Suspend the account")
                    .doesNotContain("Save plan and overrides").doesNotContain("Delete the account");
            screenshot(page, "console-viewer.png");

            // a hand-made form post with the viewer's session is refused: viewers change nothing
            var refused = context.request().post(base + "/console/accounts/" + user.did() + "/suspend",
                    RequestOptions.create().setForm(FormData.create().set("reason", "not allowed").set("csrf", "x")));
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.text()).contains("changes need the atpin-admin role");
        }
        Operators.api(Operators.demoToken(KeycloakSetup.DEMO_ADMIN)).get("/admin/v1/accounts/" + user.did()).then()
                .statusCode(200).body("status", equalTo("active"));
    }

    @Test
    void anAdminDrainsAndActivatesANodeFromTheNodesPageAndAViewerCannot() {
        String base = base();
        String node = "node-b";
        try (BrowserContext context = chromium.browser().newContext(new Browser.NewContextOptions().setViewportSize(1280, 900))) {
            Page page = context.newPage();
            page.navigate(base + "/console/nodes");
            signIn(page, KeycloakSetup.DEMO_ADMIN, false);
            page.waitForURL(base + "/console/nodes");
            var row = page.locator("tr[data-node='" + node + "']");
            assertThat(row.locator(".node-state").textContent()).isEqualTo("active");
            assertThat(row.locator(".free").textContent()).contains("of").containsPattern("[0-9.]+ [KMGT]?i?B");
            try {
                row.getByRole(AriaRole.BUTTON, new com.microsoft.playwright.Locator.GetByRoleOptions().setName("Drain")).click();
                page.waitForURL(Pattern.compile(".*notice=.*"));
                assertThat(page.locator("tr[data-node='" + node + "'] .node-state").textContent()).isEqualTo("draining");
                screenshot(page, "console-nodes-draining.png");
            } finally {
                page.navigate(base + "/console/nodes");
                page.locator("tr[data-node='" + node + "']").getByRole(AriaRole.BUTTON,
                        new com.microsoft.playwright.Locator.GetByRoleOptions().setName("Activate")).click();
                page.waitForURL(Pattern.compile(".*notice=.*"));
            }
            assertThat(page.locator("tr[data-node='" + node + "'] .node-state").textContent()).isEqualTo("active");
        }
        try (BrowserContext context = chromium.browser().newContext(new Browser.NewContextOptions().setViewportSize(1280, 900))) {
            Page page = context.newPage();
            page.navigate(base + "/console/nodes");
            signIn(page, KeycloakSetup.DEMO_VIEWER, false);
            page.waitForURL(base + "/console/nodes");
            assertThat(page.content()).contains(node).doesNotContain(">Drain<").doesNotContain(">Activate<");
            var refused = context.request().post(base + "/console/nodes/drain",
                    RequestOptions.create().setForm(FormData.create().set("node", node).set("csrf", "x")));
            assertThat(refused.status()).isEqualTo(403);
        }
        Operators.api(Operators.demoToken(KeycloakSetup.DEMO_ADMIN)).get("/admin/v1/nodes/" + node).then()
                .statusCode(200).body("state", equalTo("active"));
    }

    /** At Keycloak's own login page. */
    private static void signIn(Page page, String username, boolean screenshot) {
        page.waitForURL(Pattern.compile(Pattern.quote(Operators.keycloakUrl()) + "/realms/atpin/protocol/openid-connect/auth.*"));
        page.locator("#username").fill(username);
        page.locator("#password").fill(Operators.demoPassword());
        if (screenshot) {
            screenshot(page, "console-keycloak-login.png");
        }
        page.locator("#kc-login").click();
    }

    private String base() {
        return web.publicUrl().toString().replaceAll("/$", "");
    }

    private static void screenshot(Page page, String name) {
        Path dir = System.getProperty("atpin.test.screenshots") != null
                ? RepoPaths.root().resolve(System.getProperty("atpin.test.screenshots"))
                : RepoPaths.root().resolve("service/target/screenshots");
        page.screenshot(new Page.ScreenshotOptions().setPath(dir.resolve(name)).setFullPage(true));
    }
}
