package dev.atpin.testing;

import io.quarkus.test.common.QuarkusTestResource;

/**
 * Registers the real components once for every {@code @QuarkusTest}: they share one stack and one app start
 * ({@link TestStack}: PostgreSQL and Kubo; {@link PdsTestResource}: the reference PDS and PLC).
 */
@SuppressWarnings("deprecation")
@QuarkusTestResource(TestStack.class)
@QuarkusTestResource(PdsTestResource.class)
public final class GlobalTestStack {
    private GlobalTestStack() {}
}
