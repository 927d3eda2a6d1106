package dev.atpin.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atpin.auth.TokenService;
import dev.atpin.operators.keycloak.KeycloakSetup;
import dev.atpin.testing.Cids;
import dev.atpin.testing.KeycloakTestResource;
import dev.atpin.testing.Operators;
import dev.atpin.testing.Tenants;
import dev.atpin.testing.Tenants.Tenant;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.admin.client.resource.RealmResource;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.CredentialRepresentation;
import org.keycloak.representations.idm.ProtocolMapperRepresentation;
import org.keycloak.representations.idm.RealmRepresentation;
import org.keycloak.representations.idm.RoleRepresentation;
import org.keycloak.representations.idm.UserRepresentation;

/**
 * The admin API with bearer tokens from a real Keycloak, as scripts use it: roles decide what an operator may do,
 * and only tokens of our realm, for our client, are taken.
 */
@QuarkusTest
class OperatorTokensTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    KeycloakSetup setup;

    @Inject
    TokenService tokens;

    @BeforeEach
    void provision() {
        Operators.provisioned(setup);
    }

    @Test
    void aViewerSeesEverythingAndIsRefusedEveryChange() {
        Tenant user = Tenants.fresh(tokens);
        String viewer = Operators.demoToken(KeycloakSetup.DEMO_VIEWER);
        Operators.api(viewer).get("/admin/v1/me").then().statusCode(200)
                .body("name", equalTo(KeycloakSetup.DEMO_VIEWER)).body("role", equalTo("atpin-viewer"))
                .body("via", equalTo("oidc-token"));
        Operators.api(viewer).get("/admin/v1/accounts/" + user.did()).then().statusCode(200);
        Operators.api(viewer).get("/admin/v1/queue").then().statusCode(200);
        Operators.api(viewer).get("/admin/v1/watcher").then().statusCode(200);
        Operators.api(viewer).body(Map.of("plan", "pro")).patch("/admin/v1/accounts/" + user.did()).then()
                .statusCode(403).body("error.reason", equalTo("INSUFFICIENT_ROLE"));
        Operators.api(viewer).body(Map.of("reason", "x")).post("/admin/v1/accounts/" + user.did() + "/suspend").then()
                .statusCode(403).body("error.reason", equalTo("INSUFFICIENT_ROLE"));
        Operators.api(viewer).queryParam("reason", "x").delete("/admin/v1/accounts/" + user.did()).then().statusCode(403);
    }

    @Test
    void anAdminChangesThePlanAndSuspendsAndTheUserIsThenRefusedWrites() {
        Tenant user = Tenants.fresh(tokens);
        user.api().body(Map.of("cid", Cids.unfetchable())).post("/psa/pins").then().statusCode(202);
        String admin = Operators.demoToken(KeycloakSetup.DEMO_ADMIN);
        Operators.api(admin).body(Map.of("plan", "pro")).patch("/admin/v1/accounts/" + user.did()).then()
                .statusCode(200).body("plan", equalTo("pro"));
        Operators.api(admin).body(Map.of("reason", "phishing content")).post("/admin/v1/accounts/" + user.did() + "/suspend")
                .then().statusCode(200).body("status", equalTo("suspended"));
        user.api().body(Map.of("cid", Cids.unfetchable())).post("/psa/pins").then().statusCode(403)
                .body("error.reason", equalTo("ACCOUNT_SUSPENDED"));
        user.api().get("/psa/pins").then().statusCode(200);
        Operators.api(admin).queryParam("target", user.did()).get("/admin/v1/audit").then().statusCode(200)
                .body("entries[0].action", equalTo("account.suspend"))
                .body("entries[0].operator", equalTo(KeycloakSetup.DEMO_ADMIN))
                .body("entries[0].via", equalTo("oidc-token"))
                .body("entries.action", hasItem("account.change"));
    }

    @Test
    void aSignedInPersonWithoutAnOperatorRoleIsNotAnOperator() {
        String password = UUID.randomUUID().toString();
        try (Keycloak kc = Operators.admin()) {
            user(kc.realm(KeycloakTestResource.REALM), "bystander-" + password.substring(0, 8), password);
        }
        String token = Operators.token(KeycloakTestResource.REALM, KeycloakSetup.CLI_CLIENT,
                "bystander-" + password.substring(0, 8), password);
        Operators.api(token).get("/admin/v1/accounts").then().statusCode(403)
                .body("error.reason", equalTo("NOT_AN_OPERATOR"));
    }

    @Test
    void aTokenFromAnotherRealmIsRefusedEvenWithTheSameClientAndRoles() {
        String realmName = "elsewhere-" + UUID.randomUUID().toString().substring(0, 8);
        String password = UUID.randomUUID().toString();
        try (Keycloak kc = Operators.admin()) {
            RealmRepresentation rep = new RealmRepresentation();
            rep.setRealm(realmName);
            rep.setEnabled(true);
            kc.realms().create(rep);
            RealmResource realm = kc.realm(realmName);
            String consoleId = client(realm, "atpin-console", false);
            RoleRepresentation role = new RoleRepresentation();
            role.setName("atpin-admin");
            realm.clients().get(consoleId).roles().create(role);
            client(realm, KeycloakSetup.CLI_CLIENT, true);
            String userId = user(realm, "intruder", password);
            realm.users().get(userId).roles().clientLevel(consoleId)
                    .add(List.of(realm.clients().get(consoleId).roles().get("atpin-admin").toRepresentation()));
        }
        String token = Operators.token(realmName, KeycloakSetup.CLI_CLIENT, "intruder", password);
        assertThat(claims(token).path("resource_access").path("atpin-console").path("roles").toString())
                .contains("atpin-admin");
        Operators.api(token).get("/admin/v1/accounts").then().statusCode(401)
                .body("error.reason", equalTo("UNAUTHORIZED"));
    }

    @Test
    void aTokenForAnotherAudienceIsRefusedEvenWithTheAdminRole() {
        String clientId = "other-app-" + UUID.randomUUID().toString().substring(0, 8);
        try (Keycloak kc = Operators.admin()) {
            RealmResource realm = kc.realm(KeycloakTestResource.REALM);
            String id = client(realm, clientId, true);
            ClientRepresentation rep = realm.clients().get(id).toRepresentation();
            rep.setFullScopeAllowed(false);
            realm.clients().get(id).update(rep);
            // the role claim as our client's roles would look, but in a token meant for another client
            ProtocolMapperRepresentation claim = new ProtocolMapperRepresentation();
            claim.setName("forged roles");
            claim.setProtocol("openid-connect");
            claim.setProtocolMapper("oidc-hardcoded-claim-mapper");
            claim.setConfig(Map.of("claim.name", "resource_access.atpin-console.roles", "claim.value", "[\"atpin-admin\"]",
                    "jsonType.label", "JSON", "access.token.claim", "true"));
            try (Response r = realm.clients().get(id).getProtocolMappers().createMapper(claim)) {
                assertThat(r.getStatus()).isEqualTo(201);
            }
        }
        String token = Operators.token(KeycloakTestResource.REALM, clientId, KeycloakSetup.DEMO_ADMIN,
                Operators.demoPassword());
        JsonNode claims = claims(token);
        assertThat(claims.path("resource_access").path("atpin-console").path("roles").toString()).contains("atpin-admin");
        assertThat(claims.path("aud").toString()).doesNotContain("atpin-console");
        Operators.api(token).get("/admin/v1/accounts").then().statusCode(401)
                .body("error.reason", equalTo("UNAUTHORIZED"));
    }

    private static String client(RealmResource realm, String clientId, boolean publicWithPasswordGrants) {
        ClientRepresentation c = new ClientRepresentation();
        c.setClientId(clientId);
        c.setEnabled(true);
        c.setPublicClient(publicWithPasswordGrants);
        c.setDirectAccessGrantsEnabled(publicWithPasswordGrants);
        if (!publicWithPasswordGrants) {
            c.setSecret(UUID.randomUUID().toString());
        }
        try (Response r = realm.clients().create(c)) {
            assertThat(r.getStatus()).isEqualTo(201);
        }
        return realm.clients().findByClientId(clientId).getFirst().getId();
    }

    private static String user(RealmResource realm, String username, String password) {
        UserRepresentation u = new UserRepresentation();
        u.setUsername(username);
        u.setEnabled(true);
        u.setEmailVerified(true);
        u.setEmail(username + "@example.invalid");
        u.setFirstName("Test");
        u.setLastName("Person");
        CredentialRepresentation credential = new CredentialRepresentation();
        credential.setType(CredentialRepresentation.PASSWORD);
        credential.setValue(password);
        credential.setTemporary(false);
        u.setCredentials(List.of(credential));
        try (Response r = realm.users().create(u)) {
            assertThat(r.getStatus()).isEqualTo(201);
        }
        return realm.users().searchByUsername(username, true).getFirst().getId();
    }

    private static JsonNode claims(String jwt) {
        try {
            return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
