package dev.atpin.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atpin.api.ApiException;
import dev.atpin.auth.TokenService;
import dev.atpin.ipld.Cid;
import dev.atpin.oauth.client.ClientSettings;
import dev.atpin.pins.PinInputs;
import dev.atpin.pins.PinService;
import dev.atpin.pins.PinStatusDto;
import dev.atpin.testing.Browser;
import dev.atpin.testing.Cids;
import dev.atpin.testing.DashboardLogin;
import dev.atpin.testing.DashboardLogin.LoggedIn;
import dev.atpin.testing.PdsServer;
import dev.atpin.testing.PdsTestResource.InjectPds;
import dev.atpin.testing.Tenants;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The pins pages without a browser: tenant isolation, CSRF on every form, clear refusals of bad input. */
@QuarkusTest
class DashboardPinsTest {

    private static final Pattern ROW = Pattern.compile("<tr id=\"pin-([0-9a-f-]{36})\"");

    @InjectPds
    PdsServer pds;

    @Inject
    ClientSettings client;

    @Inject
    PinService pins;

    @Inject
    PinInputs inputs;

    @Inject
    TokenService tokens;

    private String base;

    @BeforeEach
    void base() {
        base = client.publicUrl().toString();
    }

    @Test
    void anotherTenantsPinIsNotFoundOnEveryPinPage() throws Exception {
        LoggedIn user = DashboardLogin.login(base, pds.createAccount("iso" + suffix()));
        Tenants.Tenant other = Tenants.fresh(tokens);
        PinStatusDto theirs = pins.add(other.did(), inputs.pin(incoming(Cids.unfetchable(), "not yours")));
        String id = theirs.requestid();

        for (String path : List.of("/account/pins/" + id, "/account/pins/" + id + "/status", "/account/pins/nonsense")) {
            HttpResponse<String> page = user.browser().get(base + path);
            assertThat(page.statusCode()).as(path).isEqualTo(404);
            assertThat(page.body()).as(path).contains("No such pin").doesNotContain("not yours");
        }
        HttpResponse<String> remove = user.browser().postForm(base + "/account/pins/" + id + "/remove",
                Map.of("csrf", user.csrf()));
        assertThat(remove.statusCode()).isEqualTo(404);
        assertThat(pins.get(other.did(), UUID.fromString(id)).requestid()).isEqualTo(id);
        // the live fragment drops a row it cannot show, and says nothing about it
        HttpResponse<String> live = user.browser().get(base + "/account/pins/live?id=" + id);
        assertThat(live.body()).contains("hx-swap-oob=\"delete\"").doesNotContain("not yours");
    }

    @Test
    void everyPinFormNeedsTheSessionsCsrfToken() {
        LoggedIn user = DashboardLogin.login(base, pds.createAccount("csrfp" + suffix()));
        String cid = Cids.unfetchable();

        HttpResponse<String> add = user.browser().postForm(base + "/account/pins", Map.of("cid", cid));
        HttpResponse<String> resync = user.browser().postForm(base + "/account/repo/resync", Map.of("csrf", "nope"));
        HttpResponse<String> remove = user.browser().postForm(base + "/account/pins/" + UUID.randomUUID() + "/remove",
                Map.of());

        assertThat(List.of(add.statusCode(), resync.statusCode(), remove.statusCode())).containsOnly(403);
        assertThat(user.browser().get(base + "/account/pins?cid=" + cid).body()).contains("No pin requests match");
    }

    @Test
    void anApiPinAddedAndRemovedInTheDashboardIsAPlainRequest() throws Exception {
        PdsServer.Account account = pds.createAccount("plain" + suffix());
        LoggedIn user = DashboardLogin.login(base, account);
        String cid = Cids.unfetchable();

        HttpResponse<String> added = user.browser().postForm(base + "/account/pins",
                Map.of("csrf", user.csrf(), "cid", cid, "name", "report.pdf"));
        assertThat(added.statusCode()).isEqualTo(303);
        HttpResponse<String> list = user.browser().get(base + Browser.location(added).replace(base, ""));
        assertThat(list.body()).contains("Pin request added").contains("report.pdf");
        Matcher row = ROW.matcher(list.body());
        assertThat(row.find()).isTrue();
        String id = row.group(1);
        PinStatusDto pin = pins.get(account.did(), UUID.fromString(id));
        assertThat(pin.info()).containsEntry("source", "api");
        assertThat(Cid.parse(pin.pin().cid()).normalized()).isEqualTo(cid);

        HttpResponse<String> removed = user.browser().postForm(base + "/account/pins/" + id + "/remove",
                Map.of("csrf", user.csrf()));
        assertThat(removed.statusCode()).isEqualTo(303);
        assertThat(Browser.location(removed)).endsWith("/account/pins?note=removed");
        assertThatThrownBy(() -> pins.get(account.did(), UUID.fromString(id)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.kind()).isEqualTo(ApiException.Kind.NOT_FOUND));
    }

    @Test
    void badInputIsAnsweredOnThePageInWordsNeverWithAnError() {
        LoggedIn user = DashboardLogin.login(base, pds.createAccount("bad" + suffix()));
        String elevenCids = String.join(",", java.util.stream.Stream.generate(Cids::unfetchable).limit(11).toList());
        Map<String, String> filters = Map.of(
                "status=sleeping", "values must be queued, pinning, pinned or failed",
                "from=yesterday", "must be a day such as",
                "cid=" + enc(elevenCids), "at most 10 CIDs",
                "before=notatime", "this page link is broken",
                "source=elsewhere", "choose API pins or record pins",
                "name=" + "n".repeat(300), "at most 255 characters");
        filters.forEach((query, message) -> {
            HttpResponse<String> page = user.browser().get(base + "/account/pins?" + query);
            assertThat(page.statusCode()).as(query).isEqualTo(400);
            assertThat(page.body()).as(query).contains("Check the filters").contains(message)
                    .doesNotContain("Exception");
        });

        HttpResponse<String> badCid = user.browser().postForm(base + "/account/pins",
                Map.of("csrf", user.csrf(), "cid", "not-a-cid", "name", "kept"));
        assertThat(badCid.statusCode()).isEqualTo(400);
        assertThat(badCid.body()).contains("The pin was not added").contains("is not a valid CID")
                .contains("value=\"kept\"");
        HttpResponse<String> badOrigin = user.browser().postForm(base + "/account/pins",
                Map.of("csrf", user.csrf(), "cid", Cids.unfetchable(), "origins", "/ip4/1.2.3.4/nonsense"));
        assertThat(badOrigin.statusCode()).isEqualTo(400);
        assertThat(badOrigin.body()).contains("is not a valid multiaddr");
        HttpResponse<String> noResync = user.browser().postForm(base + "/account/repo/resync",
                Map.of("csrf", user.csrf()));
        assertThat(noResync.statusCode()).isEqualTo(409);
        assertThat(noResync.body()).contains("Your repo is not enrolled");
    }

    private static dev.atpin.pins.PinDto.Incoming incoming(String cid, String name) {
        var json = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance;
        return new dev.atpin.pins.PinDto.Incoming(json.textNode(cid), json.textNode(name), null, null);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String suffix() {
        return UUID.randomUUID().toString().substring(0, 6);
    }
}
