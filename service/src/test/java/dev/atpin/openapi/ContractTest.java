package dev.atpin.openapi;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.atpin.testing.ContractValidation;
import dev.atpin.testing.RepoPaths;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The contracts we serve are the ones in the repo, and the Pinning Service API one is the upstream spec. */
@QuarkusTest
class ContractTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static JsonNode read(Path file) throws Exception {
        assertThat(file).as("%s must exist", file).exists();
        return YAML.readTree(Files.readString(file));
    }

    @Test
    void ourPinningServiceContractHasTheUpstreamOperationsAndSchemasUnchanged() throws Exception {
        JsonNode ours = read(RepoPaths.root().resolve("openapi/pinning-service.yaml"));
        JsonNode upstream = read(RepoPaths.sharedReference().resolve("ipfs-pinning-service.yaml"));
        assertThat(ours.path("paths")).isEqualTo(upstream.path("paths"));
        assertThat(ours.path("components")).isEqualTo(upstream.path("components"));
        assertThat(ours.path("info").path("version").asText()).isEqualTo("1.0.0");
        assertThat(ours.path("servers").get(0).path("url").asText()).endsWith("/psa");
    }

    @Test
    void theServedContractsAreTheFilesInTheRepo() throws Exception {
        for (String file : new String[] {"pinning-service.yaml", "admin.yaml"}) {
            String served = given().get("/openapi/" + file).then().statusCode(200).extract().asString();
            assertThat(served).isEqualTo(Files.readString(RepoPaths.root().resolve("openapi/" + file)));
        }
        given().get("/openapi/secrets.yaml").then().statusCode(404);
    }

    @Test
    void theAdminContractDescribesEveryAdminOperation() throws Exception {
        JsonNode admin = read(RepoPaths.root().resolve("openapi/admin.yaml"));
        assertThat(admin.path("paths").fieldNames()).toIterable().containsExactlyInAnyOrder(
                "/me", "/accounts", "/accounts/{did}", "/accounts/{did}/suspend", "/accounts/{did}/resume",
                "/accounts/{did}/pins", "/audit", "/queue", "/queue/failures", "/queue/retry", "/nodes", "/nodes/{name}",
                "/nodes/{name}/drain", "/nodes/{name}/activate", "/watcher");
    }

    @Test
    void everyPinningServiceResponseInTheTestsIsCheckedAgainstTheContract() {
        long before = ContractValidation.validatedResponses();
        given().get("/psa/pins").then().statusCode(401);
        assertThat(ContractValidation.validatedResponses()).isEqualTo(before + 1);
    }
}
