package dev.atpin.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;

/**
 * The reference PDS + PLC as a peer of every {@code @QuarkusTest} (registered in {@link GlobalTestStack}, so
 * all of them share one app start): the service resolves {@code .test} handles through this PDS and DIDs
 * through its PLC, and logs users in at it with the loopback OAuth client.
 *
 * <p>The loopback client's redirect URI names the service's port, and the authorization server checks it, so
 * the port must be known before the app starts: this picks a free one and hands it to Quarkus as the test
 * port (together with the matching {@code atpin.oauth.public-url}).
 *
 * <p>Tests get the running server in a field annotated {@link InjectPds}.
 */
public class PdsTestResource implements QuarkusTestResourceLifecycleManager {

    /** Marks a {@code PdsServer} field of a test class to receive the running PDS. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface InjectPds {}

    private PdsServer pds;

    @Override
    public Map<String, String> start() {
        pds = PdsServer.start();
        // For PdsServer.attach(): tests without an injected field reach the same PDS.
        System.setProperty("atpin.test.pds.url", pds.pdsUrl());
        System.setProperty("atpin.test.pds.plc", pds.plcUrl());
        System.setProperty("atpin.test.pds.admin", pds.adminPassword());
        int port = freePort();
        return Map.of(
                "atpin.identity.plc-url", pds.plcUrl(),
                "atpin.identity.dev-handle-resolver", pds.pdsUrl(),
                "quarkus.http.test-port", String.valueOf(port),
                "atpin.oauth.public-url", "http://127.0.0.1:" + port);
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(pds, new TestInjector.AnnotatedAndMatchesType(InjectPds.class, PdsServer.class));
    }

    @Override
    public void stop() {
        if (pds != null) {
            pds.close();
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }
}
