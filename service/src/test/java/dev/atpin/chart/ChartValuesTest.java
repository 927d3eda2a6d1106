package dev.atpin.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** What the chart renders for the values that matter, and the values its schema refuses. */
class ChartValuesTest {

    private static final Path CI = RenderedChart.chartDir().resolve("ci");

    private static RenderedChart render(String ciFile, Map<String, Object> sets) {
        return RenderedChart.render(List.of(CI.resolve(ciFile)), sets);
    }

    @Test
    void shouldHandTheServiceOneKuboNodePerStatefulSetReplica() {
        RenderedChart chart = render("kubo-nodes-values.yaml", Map.of());
        JsonNode sts = chart.get("StatefulSet", "atpin-kubo");
        int replicas = sts.path("spec").path("replicas").asInt();
        assertThat(replicas).isEqualTo(5);

        Map<String, String> nodes = new TreeMap<>();
        chart.serviceProperties().forEach((k, v) -> {
            if (k.startsWith("atpin.kubo.nodes.") && k.endsWith(".rpc-url")) {
                nodes.put(k.substring("atpin.kubo.nodes.".length(), k.length() - ".rpc-url".length()), v);
            }
        });
        Map<String, String> expected = new TreeMap<>();
        String headless = sts.path("spec").path("serviceName").asText();
        for (int i = 0; i < replicas; i++) {
            expected.put("kubo-" + i, "http://atpin-kubo-" + i + "." + headless + ".pins.svc.cluster.local:5001");
        }
        expected.put("archive", "http://archive-kubo.storage.svc.cluster.local:5001");
        assertThat(nodes).isEqualTo(expected);
        assertThat(chart.get("Service", headless).path("spec").path("clusterIP").asText()).isEqualTo("None");
        // one swarm Service per node, each selecting its own pod
        for (int i = 0; i < replicas; i++) {
            assertThat(chart.get("Service", "atpin-kubo-" + i + "-swarm").path("spec").path("selector")
                    .path("statefulset.kubernetes.io/pod-name").asText()).isEqualTo("atpin-kubo-" + i);
        }
        JsonNode claim = sts.path("spec").path("volumeClaimTemplates").get(0);
        assertThat(claim.path("spec").path("resources").path("requests").path("storage").asText()).isEqualTo("500Gi");
        assertThat(claim.path("spec").path("storageClassName").asText()).isEqualTo("fast-ssd");
        String init = chart.get("ConfigMap", "atpin-kubo").path("data").path("configure.sh").asText();
        assertThat(init).contains("ipfs init --profile server").contains("Addresses.API /ip4/0.0.0.0/tcp/5001");
    }

    @Test
    void shouldLetOnlyTheServicePodsReachKuboRpc() {
        RenderedChart chart = render("minimal-values.yaml", Map.of());
        JsonNode servicePodLabels = chart.get("Deployment", "atpin").path("spec").path("template").path("metadata").path("labels");
        JsonNode kuboPodLabels = chart.get("StatefulSet", "atpin-kubo").path("spec").path("template").path("metadata").path("labels");
        JsonNode policy = chart.get("NetworkPolicy", "atpin-kubo").path("spec");

        assertSelects(policy.path("podSelector").path("matchLabels"), kuboPodLabels);
        JsonNode rpcRule = null;
        JsonNode swarmRule = null;
        for (JsonNode rule : policy.path("ingress")) {
            List<String> ports = new ArrayList<>();
            rule.path("ports").forEach(p -> ports.add(p.path("port").asText()));
            if (ports.contains("rpc")) {
                rpcRule = rule;
            }
            if (ports.contains("swarm")) {
                swarmRule = rule;
            }
        }
        assertThat(rpcRule).as("a rule for the RPC port").isNotNull();
        assertThat(rpcRule.path("from")).hasSize(1);
        JsonNode from = rpcRule.path("from").get(0).path("podSelector").path("matchLabels");
        assertSelects(from, servicePodLabels);
        // the selector admitting RPC callers must not also match Kubo's own pods
        assertThat(matches(from, kuboPodLabels)).isFalse();
        assertThat(swarmRule).as("a rule for the swarm port").isNotNull();
        assertThat(swarmRule.has("from")).as("swarm open to all").isFalse();
        assertThat(rpcRule.path("ports").toString()).doesNotContain("swarm");
    }

    @Test
    void shouldScaleWithTheHpaInsteadOfAFixedReplicaCount() {
        RenderedChart production = render("production-values.yaml", Map.of());
        assertThat(production.get("Deployment", "atpin").path("spec").has("replicas")).isFalse();
        JsonNode hpa = production.get("HorizontalPodAutoscaler", "atpin").path("spec");
        assertThat(hpa.path("minReplicas").asInt()).isEqualTo(3);
        assertThat(hpa.path("maxReplicas").asInt()).isEqualTo(10);
        assertThat(hpa.path("scaleTargetRef").path("name").asText()).isEqualTo("atpin");

        RenderedChart fixed = render("minimal-values.yaml", Map.of("replicaCount", 4));
        assertThat(fixed.get("Deployment", "atpin").path("spec").path("replicas").asInt()).isEqualTo(4);
        assertThat(fixed.find("HorizontalPodAutoscaler", "atpin")).isEmpty();
    }

    @Test
    void shouldServeTheIngressHostWithTlsAndNameTheServiceDidAfterIt() {
        RenderedChart chart = render("production-values.yaml", Map.of());
        JsonNode ingress = chart.get("Ingress", "atpin").path("spec");
        assertThat(ingress.path("rules").get(0).path("host").asText()).isEqualTo("pin.example.org");
        assertThat(ingress.path("tls").get(0).path("hosts").get(0).asText()).isEqualTo("pin.example.org");
        Map<String, String> props = chart.serviceProperties();
        assertThat(props).containsEntry("atpin.service.did", "did:web:pin.example.org")
                .containsEntry("atpin.oauth.public-url", "https://pin.example.org")
                .containsEntry("atpin.service.public-url", "https://pin.example.org")
                .containsEntry("atpin.watcher.relay", "https://bsky.network")
                .containsEntry("atpin.accounts.operators", "did:plc:ewvi7nxzyoun6zhxrhs64oiz")
                .containsEntry("atpin.accounts.plans.pro.max-bytes", "1099511627776")
                .containsEntry("atpin.kubo.nodes.kubo-0.announce", "/dns4/ipfs-0.pin.example.org/tcp/4001")
                .containsEntry("quarkus.http.proxy.proxy-address-forwarding", "true");
        assertThat(chart.get("ServiceMonitor", "atpin").path("spec").path("endpoints").get(0).path("path").asText())
                .isEqualTo("/q/metrics");
    }

    @Test
    void shouldTakeEverySecretFromExistingSecrets() {
        RenderedChart chart = render("existing-secrets-values.yaml", Map.of());
        assertThat(chart.find("Secret", "atpin")).isEmpty();
        assertThat(chart.find("Secret", "atpin-keys")).isEmpty();
        JsonNode pod = chart.get("Deployment", "atpin").path("spec").path("template").path("spec");
        Map<String, String> refs = new TreeMap<>();
        for (JsonNode env : chart.serviceContainer().path("env")) {
            JsonNode ref = env.path("valueFrom").path("secretKeyRef");
            if (!ref.isMissingNode()) {
                refs.put(env.path("name").asText(), ref.path("name").asText() + "/" + ref.path("key").asText());
            }
        }
        assertThat(refs).containsEntry("QUARKUS_DATASOURCE_PASSWORD", "atpin-db/pg-password")
                .containsEntry("ATPIN_OPERATORS_OIDC_CLIENT_SECRET", "atpin-oidc/secret");
        List<String> keyItems = new ArrayList<>();
        for (JsonNode volume : pod.path("volumes")) {
            if (volume.path("name").asText().equals("keys")) {
                assertThat(volume.path("secret").path("secretName").asText()).isEqualTo("atpin-keys");
                volume.path("secret").path("items").forEach(i -> keyItems.add(i.path("key").asText() + "->" + i.path("path").asText()));
            }
        }
        assertThat(keyItems).containsExactly("api-token-signing.key.pem->api-token-signing.key.pem",
                "data-2025.key->data-keys/data-2025.key", "data-2026.key->data-keys/data-2026.key");
        JsonNode job = chart.get("Job", "atpin-keycloak-setup-1");
        JsonNode jobContainer = job.path("spec").path("template").path("spec").path("containers").get(0);
        assertThat(jobContainer.path("args").get(0).asText()).isEqualTo("keycloak-setup");
        assertThat(jobContainer.toString()).contains("ATPIN_OPERATORS_KEYCLOAK_ADMIN_PASSWORD").contains("keycloak-admin");
        assertThat(chart.get("HTTPRoute", "atpin").path("spec").path("hostnames").get(0).asText()).isEqualTo("pin.example.org");
    }

    @Test
    void shouldKeepTheGeneratedKeysOnUpgrade() {
        RenderedChart first = render("minimal-values.yaml", Map.of());
        JsonNode keys = first.get("Secret", "atpin-keys");
        String signing = new String(Base64.getDecoder().decode(keys.path("data").path("api-token-signing.key.pem").asText()));
        assertThat(signing).startsWith("-----BEGIN EC PRIVATE KEY-----");
        assertThat(Base64.getDecoder().decode(Base64.getDecoder().decode(keys.path("data").path("data.key").asText()))).hasSize(32);
        assertThat(keys.path("metadata").path("annotations").path("helm.sh/resource-policy").asText()).isEqualTo("keep");

        // an upgrade: the Secret of the first install is in the cluster, and lookup finds it
        KubeApiStub.get().putSecret(RenderedChart.NAMESPACE, "atpin-keys", keys.toString());
        try {
            RenderedChart upgrade = render("minimal-values.yaml", Map.of());
            assertThat(upgrade.get("Secret", "atpin-keys").path("data")).isEqualTo(keys.path("data"));
            RenderedChart fresh = render("minimal-values.yaml", Map.of("fullnameOverride", "other"));
            assertThat(fresh.get("Secret", "other-keys").path("data").path("api-token-signing.key.pem"))
                    .isNotEqualTo(keys.path("data").path("api-token-signing.key.pem"));
        } finally {
            KubeApiStub.get().putSecret(RenderedChart.NAMESPACE, "atpin-keys", null);
        }
    }

    @Test
    void shouldRunAClusterPeerWithRepinningNextToEachKuboNode() {
        RenderedChart chart = render("cluster-backend-values.yaml", Map.of());
        JsonNode pod = chart.get("StatefulSet", "atpin-kubo").path("spec").path("template").path("spec");
        JsonNode peer = null;
        for (JsonNode c : pod.path("containers")) {
            if (c.path("name").asText().equals("cluster")) {
                peer = c;
            }
        }
        assertThat(peer).isNotNull();
        Map<String, JsonNode> env = new TreeMap<>();
        peer.path("env").forEach(e -> env.put(e.path("name").asText(), e));
        assertThat(env.get("CLUSTER_DISABLEREPINNING").path("value").asText()).isEqualTo("false");
        assertThat(env.get("CLUSTER_IPFSHTTP_NODEMULTIADDRESS").path("value").asText()).isEqualTo("/ip4/127.0.0.1/tcp/5001");
        assertThat(env.get("CLUSTER_REPLICATIONFACTORMAX").path("value").asText()).isEqualTo("3");
        assertThat(env.get("CLUSTER_SECRET").path("valueFrom").path("secretKeyRef").path("name").asText()).isEqualTo("atpin-cluster");
        String secret = new String(Base64.getDecoder().decode(chart.get("Secret", "atpin-cluster").path("data").path("cluster-secret").asText()));
        assertThat(secret).matches("[0-9a-f]{64}");
        assertThat(chart.get("ConfigMap", "atpin-kubo").path("data").path("cluster.sh").asText()).contains("--consensus crdt");
    }

    @Test
    void shouldPinOnTheKuboNodesDirectlyByDefault() {
        Map<String, String> config = render("minimal-values.yaml", Map.of()).serviceProperties();
        assertThat(config).containsEntry("atpin.dispatch.backend", "kubo").doesNotContainKey("atpin.ipfs-cluster.rest-url");
    }

    @Test
    void shouldPointTheServiceAtTheChartsFirstClusterPeerWhenItPinsThroughIpfsCluster() {
        Map<String, String> config = render("cluster-backend-values.yaml", Map.of()).serviceProperties();
        assertThat(config).containsEntry("atpin.dispatch.backend", "ipfs-cluster")
                .containsEntry("atpin.ipfs-cluster.rest-url", "http://atpin-kubo-0.atpin-kubo.pins.svc.cluster.local:9094")
                .containsEntry("atpin.ipfs-cluster.ipfs-rpc-url", "http://atpin-kubo-0.atpin-kubo.pins.svc.cluster.local:5001");
    }

    @Test
    void shouldTakeAnExternalClusterFromIpfsClusterValues() {
        Map<String, String> config = render("minimal-values.yaml", Map.of("dispatch.backend", "ipfs-cluster",
                "ipfsCluster.restUrl", "http://cluster.ipfs:9094", "ipfsCluster.ipfsRpcUrl", "http://cluster.ipfs:5001"))
                .serviceProperties();
        assertThat(config).containsEntry("atpin.ipfs-cluster.rest-url", "http://cluster.ipfs:9094")
                .containsEntry("atpin.ipfs-cluster.ipfs-rpc-url", "http://cluster.ipfs:5001");
    }

    @Test
    void shouldRefuseAnUnknownPinBackend() {
        assertRefused(Map.of("dispatch.backend", "s3"), "backend");
    }

    @Test
    void shouldAlertOnQueueFailuresWatcherLagAndNodesDown() {
        RenderedChart chart = render("production-values.yaml", Map.of());
        List<String> alerts = new ArrayList<>();
        StringBuilder exprs = new StringBuilder();
        for (JsonNode rule : chart.get("PrometheusRule", "atpin").path("spec").path("groups").get(0).path("rules")) {
            alerts.add(rule.path("alert").asText());
            exprs.append(rule.path("expr").asText()).append('\n');
        }
        assertThat(alerts).contains("AtpinQueueDeep", "AtpinQueueStuck", "AtpinPinsFailing", "AtpinWatcherLagging", "AtpinKuboNodeDown");
        assertThat(exprs.toString()).contains("atpin_dispatch_placements", "atpin_dispatch_queue_oldest_seconds",
                "atpin_watcher_lag_seconds", "atpin_kubo_node_healthy");
    }

    // --- the schema refuses bad values (one test per rule) ---

    @Test
    void shouldRefuseAnUnknownTopLevelKey() {
        assertRefused(Map.of("replicas", 3), "replicas");
    }

    @Test
    void shouldRefuseAReplicaCountThatIsNotANumber() {
        assertRefused(Map.of("replicaCount", "two"), "replicaCount");
    }

    @Test
    void shouldRefuseNoReplicas() {
        assertRefused(Map.of("kubo.replicas", 0), "replicas");
    }

    @Test
    void shouldRefuseAPlainHttpPublicUrl() {
        assertRefused(Map.of("publicUrl", "http://pin.example.org"), "publicUrl");
    }

    @Test
    void shouldRefuseAnUnknownKeyInsideAGroup() {
        assertRefused(Map.of("database.hostname", "db"), "hostname");
    }

    @Test
    void shouldRefuseAnUnknownPlanLimit() {
        assertRefused(Map.of("plans.free.max-files", 3), "max-files");
    }

    @Test
    void shouldRefuseAShortConsoleClientSecret() {
        assertRefused(Map.of("operators.oidc.clientSecret", "short"), "clientSecret");
    }

    @Test
    void shouldRefuseExtraConfigOutsideAtpinAndQuarkus() {
        assertRefused(Map.of("extraConfig.java\\.home", "/"), "java.home");
    }

    @Test
    void shouldRefuseAnUnknownLogLevel() {
        assertRefused(Map.of("log.level", "LOUD"), "level");
    }

    @Test
    void shouldRefuseAnExternalNodeThatIsNotAUrl() {
        assertRefused(Map.of("kubo.externalNodes.far", "far-away:5001"), "far");
    }

    @Test
    void shouldRefuseADatabasePortOutOfRange() {
        assertRefused(Map.of("database.port", 70000), "port");
    }

    @Test
    void shouldRefuseAnInstallWithoutDatabasePassword() {
        assertThatThrownBy(() -> RenderedChart.render(List.of(CI.resolve("minimal-values.yaml")), Map.of("database.password", "")))
                .hasMessageContaining("database.password or database.existingSecret is required");
    }

    private static void assertRefused(Map<String, Object> sets, String mentioned) {
        assertThatThrownBy(() -> RenderedChart.render(List.of(CI.resolve("minimal-values.yaml")), sets))
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining(mentioned);
    }

    private static void assertSelects(JsonNode selector, JsonNode labels) {
        assertThat(matches(selector, labels)).as(selector + " selects " + labels).isTrue();
    }

    private static boolean matches(JsonNode selector, JsonNode labels) {
        var it = selector.fields();
        while (it.hasNext()) {
            var e = it.next();
            if (!labels.path(e.getKey()).asText().equals(e.getValue().asText())) {
                return false;
            }
        }
        return selector.size() > 0;
    }
}
