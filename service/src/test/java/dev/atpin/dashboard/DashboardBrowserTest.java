package dev.atpin.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import dev.atpin.api.ApiException;
import dev.atpin.dashboard.usage.UsageSnapshots;
import dev.atpin.ipld.Cid;
import dev.atpin.oauth.client.ClientSettings;
import dev.atpin.pins.PinService;
import dev.atpin.testing.Chromium;
import dev.atpin.testing.Cids;
import dev.atpin.testing.KuboDaemon;
import dev.atpin.testing.PdsServer;
import dev.atpin.testing.PdsTestResource.InjectPds;
import dev.atpin.testing.RepoPaths;
import dev.atpin.testing.TestStack;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A new user's whole visit in headless Chromium, against the running service with real PostgreSQL, Kubo and the
 * reference PDS: sign in on the PDS's own pages; create a token and use it; add a pin by CID and watch it reach
 * pinned without a reload; filter and page the table; look at a pin's details; enroll the repo, add a pin that
 * becomes a record (checked at the PDS) and then a pinned request, remove it (the record goes, the pin is
 * released); resync; revoke the token. Every page passes axe-core without serious violations and logs no
 * error (a CSP violation would show there). One browser, one login.
 *
 * <p>Screenshots go to {@code service/target/screenshots/}; with {@code -Datpin.screenshots=docs} also to
 * {@code docs/screenshots/} (the ones the README shows).
 */
@QuarkusTest
class DashboardBrowserTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PINNED = Duration.ofSeconds(90);
    private static final String AXE = "META-INF/resources/webjars/axe-core/4.6.3/axe.min.js";

    private static Chromium chromium;

    @InjectPds
    PdsServer pds;

    @Inject
    ClientSettings client;

    @Inject
    PinService pins;

    @Inject
    UsageSnapshots snapshots;

    @Inject
    AgroalDataSource db;

    private final List<String> consoleErrors = new ArrayList<>();
    private String base;

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
    void aNewUserManagesPinsUsageTokensAndRepoSyncInTheBrowser() throws Exception {
        base = client.publicUrl().toString();
        PdsServer.Account account = pds.createAccount("dash" + UUID.randomUUID().toString().substring(0, 6));
        KuboDaemon outside = KuboDaemon.attach(TestStack.OUTSIDE);
        try (BrowserContext context = chromium.browser().newContext(new com.microsoft.playwright.Browser.NewContextOptions()
                .setViewportSize(1280, 900).setDeviceScaleFactor(1))) {
            // axe-core comes in before each page's own scripts, past the pages' CSP (no inline scripts allowed)
            context.addInitScript(axeSource());
            Page page = context.newPage();
            page.onConsoleMessage(m -> {
                if ("error".equals(m.type()) && page.url().startsWith(base)) {
                    consoleErrors.add(page.url() + ": " + m.text());
                }
            });

            page.navigate(base + "/");
            check(page, "landing");
            Chromium.logIn(page, base, pds, account);

            // --- the overview of a new account: empty usage, the plan's limits
            assertThat(page.locator("#usage-pins .bar-figures").textContent()).startsWith("0 of 1,000");
            assertThat(page.locator("#plan-name").textContent()).isEqualTo("free");

            // --- a token: shown once with the Kubo line, and it works
            tab(page, "API tokens");
            page.getByLabel("Label").fill("laptop");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Create token")).click();
            String token = page.locator("#new-token").inputValue().strip();
            assertThat(page.locator("#kubo-command").inputValue())
                    .isEqualTo("ipfs pin remote service add atpin " + base + "/psa " + token);
            assertThat(page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Copy the token"))
                    .isVisible()).isTrue();
            check(page, "tokens", page.locator("#new-token"), page.locator("#kubo-command"));
            String byToken = Cids.unfetchable();
            assertThat(psa(token, "POST", "/psa/pins", "{\"cid\":\"" + byToken + "\",\"name\":\"from the laptop\"}")
                    .statusCode()).isEqualTo(202);

            // --- a pin added by CID reaches pinned on the page, without a reload
            tab(page, "Pins");
            byte[] data = randomBytes(3_000);
            String cid = outside.add(data, "raw-leaves=false&only-hash=true"); // not on any node yet
            addForm(page).getByLabel("CID", new Locator.GetByLabelOptions().setExact(true)).fill(cid);
            addForm(page).getByLabel("Name (optional)").fill("holiday photos");
            addForm(page).getByLabel("Origins (optional)").fill(String.join("\n", outside.swarmAddresses()));
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add pin")).click();
            page.waitForURL(base + "/account/pins?note=added");
            Locator row = page.locator("tr", new Page.LocatorOptions().setHasText("holiday photos"));
            assertThat(row.locator(".status").textContent()).isIn("queued", "pinning");
            page.evaluate("() => { window.sameDocument = true; }");
            outside.add(data, "raw-leaves=false"); // now the content exists: the node fetches it
            row.locator(".status-pinned").waitFor(new Locator.WaitForOptions().setTimeout(PINNED.toMillis()));
            assertThat(page.evaluate("() => window.sameDocument === true")).isEqualTo(true);
            check(page, "pins");

            // --- usage changed: one more pin, and its bytes once pinned
            tab(page, "Overview");
            assertThat(page.locator("#usage-pins .bar-figures").textContent()).startsWith("2 of 1,000");
            assertThat(page.locator("#usage-bytes .bar-figures").textContent()).doesNotStartWith("0 B");

            // --- filters and paging (5 per page in tests) over the API's own query
            for (int i = 0; i < 7; i++) {
                assertThat(psa(token, "POST", "/psa/pins", "{\"cid\":\"" + Cids.unfetchable()
                        + "\",\"name\":\"batch " + i + "\"}").statusCode()).isEqualTo(202);
            }
            tab(page, "Pins");
            filters(page).getByLabel("Name", new Locator.GetByLabelOptions().setExact(true)).fill("BATCH");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Filter")).click();
            assertThat(page.locator("#pin-count").textContent()).startsWith("7 pin requests match");
            Set<String> seen = new HashSet<>(page.locator("table.pins tbody tr").allTextContents());
            assertThat(seen).hasSize(5);
            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Older →")).click();
            List<String> second = page.locator("table.pins tbody tr").allTextContents();
            assertThat(second).hasSize(2).allSatisfy(r -> assertThat(seen).doesNotContain(r));
            page.selectOption("#f-match", "exact");
            filters(page).getByLabel("Name", new Locator.GetByLabelOptions().setExact(true)).fill("batch 3");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Filter")).click();
            assertThat(page.locator("#pin-count").textContent()).startsWith("1 pin request matches");
            page.navigate(base + "/account/pins?status=pinned&source=api");
            assertThat(page.locator("table.pins tbody tr").allTextContents()).singleElement()
                    .satisfies(r -> assertThat(r).contains("holiday photos"));
            page.navigate(base + "/account/pins?cid=" + byToken);
            assertThat(page.locator("table.pins tbody tr").allTextContents()).singleElement()
                    .satisfies(r -> assertThat(r).contains("from the laptop"));
            page.navigate(base + "/account/pins?from=2000-01-01&to=2000-12-31");
            assertThat(page.content()).contains("No pin requests match these filters");

            // --- a pin's details: CID forms, copies by node name, size, history
            page.navigate(base + "/account/pins?name=holiday");
            page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("holiday photos")).click();
            assertThat(page.locator("#cid-v1").textContent()).isEqualTo(Cid.parse(cid).normalized());
            assertThat(page.locator("#cid-v0").textContent()).startsWith("Qm");
            assertThat(page.locator(".replicas").textContent()).containsPattern("node-[ab]:\\s+pinned");
            assertThat(page.locator("#pin-status").textContent()).contains("1 of 1 wanted copy pinned");
            assertThat(page.locator(".history li").allTextContents()).last().asString().contains("pinned");
            assertThat(page.content()).doesNotContain("127.0.0.1:" + URI.create(
                    System.getProperty("atpin.test.kubo.node-a.api")).getPort()); // no node internals
            check(page, "pin-detail");

            // --- usage over time: the chart draws the daily snapshots
            long oldest = seedUsageHistory(account.did());
            tab(page, "Overview");
            assertThat(page.locator("#chart-pins-desc").textContent()).contains("Pin requests over the last 30 days");
            assertThat(page.locator("figure.chart").first().locator("tbody tr").allTextContents())
                    .hasSize(30).last().isEqualTo(LocalDate.now(ZoneOffset.UTC).minusDays(29) + String.valueOf(oldest));
            check(page, "overview");

            // --- enroll the repo; a pin added now becomes a record, then a pinned request
            tab(page, "Repo sync");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Enroll my repo")).click();
            page.locator("#repo-state", new Page.LocatorOptions().setHasText("active"))
                    .waitFor(new Locator.WaitForOptions().setTimeout(60_000));
            check(page, "repo");
            tab(page, "Pins");
            byte[] recordData = randomBytes(2_500);
            String recordCid = outside.add(recordData);
            String rkey = Cid.parse(recordCid).normalized();
            addForm(page).getByLabel("CID", new Locator.GetByLabelOptions().setExact(true)).fill(recordCid);
            addForm(page).getByLabel("Name (optional)").fill("from my repo");
            addForm(page).getByLabel("Origins (optional)").fill(String.join("\n", outside.swarmAddresses()));
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Add as a record")).click();
            page.waitForURL(Pattern.compile(Pattern.quote(base) + "/account/pins/[0-9a-f-]{36}"),
                    new Page.WaitForURLOptions().setTimeout(60_000));
            assertThat(pds.getRecord(account.did(), "dev.atpin.pin", rkey)).hasValueSatisfying(r -> {
                assertThat(r.path("cid").asText()).isEqualTo(recordCid);
                assertThat(r.path("name").asText()).isEqualTo("from my repo");
            });
            String recordPinId = page.url().substring(page.url().lastIndexOf('/') + 1);
            assertThat(page.content()).contains("at://" + account.did() + "/dev.atpin.pin/" + rkey);
            page.locator("#pin-status .big-status .status-pinned")
                    .waitFor(new Locator.WaitForOptions().setTimeout(PINNED.toMillis()));

            // --- removing it deletes the record at the PDS; the watcher then releases the pin
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Delete the record and unpin")).click();
            page.waitForURL(base + "/account/pins?note=record-deleted");
            assertThat(pds.getRecord(account.did(), "dev.atpin.pin", rkey)).isEmpty();
            await().atMost(Duration.ofSeconds(30)).until(() -> released(account.did(), recordPinId));
            await().atMost(Duration.ofSeconds(60)).until(() -> TestStack.CLUSTER.stream()
                    .noneMatch(n -> KuboDaemon.attach(n).recursivePins().containsKey(recordCid)));

            // --- resync now
            tab(page, "Repo sync");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Resync now")).click();
            page.waitForURL(base + "/account/repo?note=resync");
            page.locator("#repo-state", new Page.LocatorOptions().setHasText("active"))
                    .waitFor(new Locator.WaitForOptions().setTimeout(60_000));

            // --- revoke the token: the API refuses it
            tab(page, "API tokens");
            page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Revoke the token laptop")).click();
            page.waitForURL(base + "/account/tokens");
            assertThat(page.locator("tr.revoked").count()).isEqualTo(1);
            assertThat(psa(token, "GET", "/psa/pins", null).statusCode()).isEqualTo(401);

            // --- the pins table on a phone
            page.setViewportSize(390, 844);
            page.navigate(base + "/account/pins");
            check(page, "pins-mobile");

            assertThat(consoleErrors).as("errors in the browser console").isEmpty();
        }
    }

    /** The add form, unfolded (it starts folded once there are pins). */
    private static Locator addForm(Page page) {
        Locator add = page.locator("details#add");
        if (add.getAttribute("open") == null) {
            add.locator("summary").click();
        }
        return add;
    }

    private static Locator filters(Page page) {
        return page.getByRole(AriaRole.SEARCH, new Page.GetByRoleOptions().setName("Filter pins"));
    }

    private static void tab(Page page, String name) {
        page.getByRole(AriaRole.NAVIGATION, new Page.GetByRoleOptions().setName("Your account"))
                .getByRole(AriaRole.LINK, new Locator.GetByRoleOptions().setName(name).setExact(true)).click();
        page.waitForLoadState();
    }

    /** axe-core finds no serious or critical violation; then a screenshot (the locators masked in it). */
    private void check(Page page, String name, Locator... masked) throws IOException {
        String violations = (String) page.evaluate("""
                async () => JSON.stringify((await axe.run(document, {resultTypes: ['violations']})).violations
                    .filter(v => v.impact === 'serious' || v.impact === 'critical')
                    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))})))""");
        JsonNode found = JSON.readTree(violations);
        assertThat(found.size()).as("axe-core on " + name + " (" + page.url() + "): " + found.toPrettyString()).isZero();
        Page.ScreenshotOptions shot = new Page.ScreenshotOptions().setFullPage(true).setMask(List.of(masked))
                .setMaskColor("#c9d1de");
        byte[] png = page.screenshot(shot);
        write(RepoPaths.root().resolve("service/target/screenshots/" + name + ".png"), png);
        if ("docs".equals(System.getProperty("atpin.screenshots"))) {
            write(RepoPaths.root().resolve("docs/screenshots/" + name + ".png"), png);
        }
    }

    /**
     * Twenty-nine days of snapshots growing steadily to today's usage, as the daily job would have left them.
     *
     * @return the pins of the oldest day
     */
    private long seedUsageHistory(String did) throws Exception {
        snapshots.takeAll();
        UsageSnapshots.Current now = snapshots.current(did);
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        assertThat(snapshots.history(did, today)).as("today's snapshot")
                .containsExactly(new UsageSnapshots.Day(today, now.pins(), now.bytes()));
        try (Connection c = db.getConnection(); PreparedStatement q = c.prepareStatement("""
                insert into usage_daily (did, day, pins, bytes) values (?, ?, ?, ?)
                on conflict (did, day) do update set pins = excluded.pins, bytes = excluded.bytes""")) {
            for (int back = 29; back >= 1; back--) {
                q.setString(1, did);
                q.setObject(2, today.minusDays(back));
                q.setLong(3, now.pins() * (30 - back) / 30);
                q.setLong(4, now.bytes() * (30 - back) / 30);
                q.addBatch();
            }
            q.executeBatch();
        }
        return now.pins() / 30;
    }

    private boolean released(String did, String requestId) throws Exception {
        try {
            pins.get(did, UUID.fromString(requestId));
            return false;
        } catch (ApiException e) {
            return e.kind() == ApiException.Kind.NOT_FOUND;
        }
    }

    private HttpResponse<String> psa(String token, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String axeSource() throws IOException {
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(AXE)) {
            assertThat(in).as(AXE + " on the test classpath (org.webjars.npm:axe-core)").isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] data = new byte[n];
        ThreadLocalRandom.current().nextBytes(data);
        return data;
    }

    private static void write(Path file, byte[] png) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, png);
    }
}
