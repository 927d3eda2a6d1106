package dev.atpin.operators;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atpin.oauth.OAuthConfig;
import dev.atpin.operators.keycloak.KeycloakSetup;
import dev.atpin.testing.KeycloakTestResource;
import dev.atpin.testing.Operators;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.admin.client.resource.ClientResource;
import org.keycloak.admin.client.resource.RealmResource;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.RoleRepresentation;
import org.keycloak.representations.idm.UserRepresentation;

/** {@code keycloak-setup} against a real Keycloak: it provisions the realm, and running it again changes nothing. */
@QuarkusTest
class KeycloakSetupTest {

    @Inject
    KeycloakSetup setup;

    @Inject
    OAuthConfig web;

    @Test
    void provisioningTwiceLeavesOneClientTwoRolesAndTheDemoOperators() {
        Operators.provisioned(setup);
        try (Keycloak admin = Operators.admin()) {
            RealmResource realm = admin.realm(KeycloakTestResource.REALM);
            String consoleId = realm.clients().findByClientId("atpin-console").getFirst().getId();

            KeycloakSetup.Outcome again = setup.run();

            assertThat(again.created()).isEmpty();
            List<ClientRepresentation> clients = realm.clients().findByClientId("atpin-console");
            assertThat(clients).hasSize(1);
            ClientRepresentation console = clients.getFirst();
            assertThat(console.getId()).isEqualTo(consoleId);
            assertThat(console.isPublicClient()).isFalse();
            assertThat(console.isDirectAccessGrantsEnabled()).isFalse();
            String site = web.publicUrl().toString().replaceAll("/$", "");
            assertThat(console.getRedirectUris()).containsExactly(site + "/console/*");

            ClientResource consoleClient = realm.clients().get(consoleId);
            assertThat(consoleClient.roles().list()).extracting(RoleRepresentation::getName)
                    .containsExactlyInAnyOrder("atpin-viewer", "atpin-admin");
            assertThat(consoleClient.roles().get("atpin-admin").getRoleComposites())
                    .extracting(RoleRepresentation::getName).containsExactly("atpin-viewer");

            assertThat(roles(realm, consoleId, KeycloakSetup.DEMO_ADMIN)).containsExactly("atpin-admin");
            assertThat(roles(realm, consoleId, KeycloakSetup.DEMO_VIEWER)).containsExactly("atpin-viewer");
            String cliId = realm.clients().findByClientId(KeycloakSetup.CLI_CLIENT).getFirst().getId();
            assertThat(realm.clients().get(cliId).getProtocolMappers().getMappers()).hasSize(1);
        }
    }

    private static List<String> roles(RealmResource realm, String consoleId, String username) {
        List<UserRepresentation> users = realm.users().searchByUsername(username, true);
        assertThat(users).hasSize(1);
        return realm.users().get(users.getFirst().getId()).roles().clientLevel(consoleId).listAll().stream()
                .map(RoleRepresentation::getName).toList();
    }
}
