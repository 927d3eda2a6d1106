package dev.atpin.operators.keycloak;

import io.quarkus.runtime.QuarkusApplication;
import jakarta.inject.Inject;

/**
 * Operator CLI: {@code keycloak-setup} provisions Keycloak for the operator console ({@link KeycloakSetup}),
 * configured like the service ({@code atpin.operators.*}, e.g. environment variables): run by hand, by
 * {@code ./atpin keycloak-setup}, or as a Helm Job. Safe to run again and again.
 */
public class KeycloakSetupCommand implements QuarkusApplication {

    public static final String NAME = "keycloak-setup";

    @Inject
    KeycloakSetup setup;

    @Override
    public int run(String... args) {
        try {
            KeycloakSetup.Outcome outcome = setup.run();
            System.out.println("keycloak-setup: realm " + outcome.realm() + " is ready for the operator console"
                    + (outcome.created().isEmpty() ? "" : "; created " + String.join(", ", outcome.created())));
            return 0;
        } catch (RuntimeException e) {
            System.err.println("keycloak-setup failed: " + e.getMessage());
            return 1;
        }
    }
}
