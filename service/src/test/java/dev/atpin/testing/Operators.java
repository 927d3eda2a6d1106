package dev.atpin.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atpin.operators.keycloak.KeycloakSetup;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Collectors;
import org.keycloak.admin.client.Keycloak;
import org.keycloak.admin.client.KeycloakBuilder;

/**
 * Operators at the test run's Keycloak ({@link KeycloakTestResource}): the realm provisioned once by the service's
 * own {@link KeycloakSetup}, bearer tokens of the demo operators, and Keycloak's admin API for tests that need
 * more (another realm, odd clients).
 */
public final class Operators {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static volatile boolean provisioned;

    private Operators() {}

    /** Provisions the realm once per test run (the provisioning test checks that doing it again changes nothing). */
    public static synchronized void provisioned(KeycloakSetup setup) {
        if (!provisioned) {
            setup.run();
            provisioned = true;
        }
    }

    public static String keycloakUrl() {
        return System.getProperty("atpin.test.keycloak.url");
    }

    public static String demoPassword() {
        return System.getProperty("atpin.test.keycloak.demo-password");
    }

    /** Keycloak's admin API as its bootstrap admin; close it after use. */
    public static Keycloak admin() {
        return KeycloakBuilder.builder().serverUrl(keycloakUrl()).realm("master").clientId("admin-cli")
                .grantType("password").username("admin")
                .password(System.getProperty("atpin.test.keycloak.admin-password")).build();
    }

    /** An access token of {@code username} from {@code realm}, asked for by the public client {@code clientId}. */
    public static String token(String realm, String clientId, String username, String password) {
        String form = Map.of("grant_type", "password", "client_id", clientId, "username", username, "password", password)
                .entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(keycloakUrl() + "/realms/" + realm + "/protocol/openid-connect/token"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = JSON.readTree(r.body());
            if (r.statusCode() != 200 || !body.hasNonNull("access_token")) {
                throw new IllegalStateException("no token for " + username + " from realm " + realm + ": HTTP "
                        + r.statusCode() + " " + body.path("error"));
            }
            return body.get("access_token").asText();
        } catch (IOException e) {
            throw new IllegalStateException("cannot reach Keycloak", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A demo operator's token (password grant at the CLI client the provisioning makes for local runs). */
    public static String demoToken(String username) {
        return token(KeycloakTestResource.REALM, KeycloakSetup.CLI_CLIENT, username, demoPassword());
    }

    /** Admin API requests with {@code token}. */
    public static RequestSpecification api(String token) {
        return RestAssured.given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON);
    }
}
