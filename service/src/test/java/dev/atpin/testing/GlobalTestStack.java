package dev.atpin.testing;

import io.quarkus.test.common.QuarkusTestResource;

/** Registers {@link TestStack} once for every {@code @QuarkusTest}: they share one stack and one app start. */
@SuppressWarnings("deprecation")
@QuarkusTestResource(TestStack.class)
public final class GlobalTestStack {
    private GlobalTestStack() {}
}
