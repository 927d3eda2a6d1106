package dev.atpin.chart;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The few Kubernetes API answers Helm's {@code lookup} asks for, on loopback: the {@code v1} discovery and
 * Secrets by name (404 unless {@link #putSecret} stored one). helm-java's {@code template} runs {@code lookup}
 * against a cluster (the Helm CLI's {@code helm template} does not), so without an API server every render
 * failed; with this one a first install (no Secret) and an upgrade (the Secret is there) can both be rendered.
 *
 * <p>Helm finds it through {@code KUBECONFIG}, which the build sets for the test JVMs to {@link #kubeconfig()};
 * the file is written here when the stub starts (Helm reads it at every call).
 */
final class KubeApiStub {

    private static final String DISCOVERY = """
            {"kind":"APIResourceList","apiVersion":"v1","groupVersion":"v1","resources":[
             {"name":"secrets","singularName":"secret","namespaced":true,"kind":"Secret","verbs":["get","list"]}]}""";
    private static final String NOT_FOUND = """
            {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","reason":"NotFound","code":404}""";
    private static KubeApiStub instance;

    private final Map<String, String> secrets = new ConcurrentHashMap<>();

    private KubeApiStub() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::answer);
        server.setExecutor(null);
        server.start();
        Path kubeconfig = kubeconfig();
        Files.createDirectories(kubeconfig.getParent());
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: stub, cluster: {server: "http://127.0.0.1:%d"}}]
                contexts: [{name: stub, context: {cluster: stub, user: stub, namespace: %s}}]
                users: [{name: stub, user: {}}]
                current-context: stub
                """.formatted(server.getAddress().getPort(), RenderedChart.NAMESPACE));
    }

    static synchronized KubeApiStub get() {
        if (instance == null) {
            try {
                instance = new KubeApiStub();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the Kubernetes API stub", e);
            }
        }
        return instance;
    }

    /** Where Helm reads its kubeconfig: {@code KUBECONFIG}, as the build sets it. */
    static Path kubeconfig() {
        String env = System.getenv("KUBECONFIG");
        if (env == null || env.isBlank()) {
            throw new IllegalStateException("KUBECONFIG is not set for this JVM: run the chart tests through Maven (service/pom.xml sets it)");
        }
        return Path.of(env);
    }

    /** Makes {@code GET /api/v1/namespaces/<ns>/secrets/<name>} answer this Secret (JSON); null removes it. */
    void putSecret(String namespace, String name, String json) {
        String key = "/api/v1/namespaces/" + namespace + "/secrets/" + name;
        if (json == null) {
            secrets.remove(key);
        } else {
            secrets.put(key, json);
        }
    }

    private void answer(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String body;
        int status = 200;
        if (path.equals("/api")) {
            body = "{\"kind\":\"APIVersions\",\"versions\":[\"v1\"],\"serverAddressByClientCIDRs\":[]}";
        } else if (path.equals("/apis")) {
            body = "{\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\",\"groups\":[]}";
        } else if (path.equals("/api/v1")) {
            body = DISCOVERY;
        } else if (secrets.containsKey(path)) {
            body = secrets.get(path);
        } else {
            status = 404;
            body = NOT_FOUND;
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }
}
