package dev.atpin.foundation;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import dev.atpin.testing.KuboDaemon;
import dev.atpin.testing.TestStack;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

@QuarkusTest
class FoundationTest {

    @Inject
    AgroalDataSource db;

    @Test
    void readinessReportsEachKuboNodesPeerIdAndVersion() {
        for (String name : TestStack.CLUSTER) {
            KuboDaemon node = KuboDaemon.attach(name);
            given().get("/q/health/ready").then()
                    .statusCode(200)
                    .body("status", equalTo("UP"))
                    .body("checks.find { it.name == 'kubo' }.data.'" + name + ".peer-id'", equalTo(node.peerId()))
                    .body("checks.find { it.name == 'kubo' }.data.'" + name + ".version'", startsWith("0.43"));
        }
    }

    @Test
    void livenessAndMetricsAnswer() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes"));
    }

    @Test
    void migrationsRanAgainstTheRealPostgres() throws Exception {
        try (Connection c = db.getConnection(); Statement s = c.createStatement()) {
            List<String> applied = new ArrayList<>();
            try (ResultSet rs = s.executeQuery(
                    "select version from flyway_schema_history where success order by installed_rank")) {
                while (rs.next()) {
                    applied.add(rs.getString(1));
                }
            }
            assertThat(applied).contains("1", "2");
            try (ResultSet rs = s.executeQuery("select version()")) {
                rs.next();
                assertThat(rs.getString(1)).startsWith("PostgreSQL");
            }
            try (ResultSet rs = s.executeQuery(
                    "select count(*) from information_schema.tables where table_name in ('pin_request','content','placement','node','account','api_token')")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(6);
            }
        }
    }

    @Test
    void theServedContractIsTheOneInTheRepo() {
        given().get("/openapi/pinning-service.yaml").then().statusCode(200)
                .body(containsString("title: 'IPFS Pinning Service API'"));
    }
}
