package dev.atpin.testing;

import io.quarkus.test.common.QuarkusTestResource;

/**
 * Registers the real components once for every {@code @QuarkusTest}: they share one stack and one app start
 * ({@link TestStack}: PostgreSQL and Kubo; {@link PdsTestResource}: the reference PDS and PLC;
 * {@link KeycloakTestResource}: Keycloak, started alongside the others because it is the slowest).
 */
@SuppressWarnings("deprecation")
@QuarkusTestResource(TestStack.class)
@QuarkusTestResource(PdsTestResource.class)
@QuarkusTestResource(value = KeycloakTestResource.class, parallel = true)
public final class GlobalTestStack {
    private GlobalTestStack() {}
}
