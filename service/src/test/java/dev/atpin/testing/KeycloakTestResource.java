package dev.atpin.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * One real Keycloak for the whole test run (registered in {@link GlobalTestStack}): the identity provider of the
 * operator console. The service is pointed at realm {@value #REALM} with a fresh client secret; the realm is
 * provisioned by the service's own {@code KeycloakSetup} (see {@code Operators.provisioned}), which is also what
 * the provisioning test runs twice. Keycloak starts slowly, so this runs in parallel with the other resources.
 */
public class KeycloakTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String REALM = "atpin";

    private KeycloakServer keycloak;

    @Override
    public Map<String, String> start() {
        keycloak = KeycloakServer.start();
        String demoPassword = KeycloakServer.secret(12);
        System.setProperty("atpin.test.keycloak.url", keycloak.url());
        System.setProperty("atpin.test.keycloak.admin-password", keycloak.adminPassword());
        System.setProperty("atpin.test.keycloak.demo-password", demoPassword);
        return Map.of(
                "atpin.operators.oidc.auth-server-url", keycloak.url() + "/realms/" + REALM,
                "atpin.operators.oidc.client-secret", KeycloakServer.secret(24),
                "atpin.operators.keycloak.admin-username", "admin",
                "atpin.operators.keycloak.admin-password", keycloak.adminPassword(),
                "atpin.operators.keycloak.demo-password", demoPassword);
    }

    @Override
    public void stop() {
        if (keycloak != null) {
            keycloak.close();
        }
    }
}
