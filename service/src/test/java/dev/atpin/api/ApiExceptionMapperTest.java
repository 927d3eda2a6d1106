package dev.atpin.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atpin.accounts.QuotaExceeded;
import jakarta.ws.rs.core.Response;
import java.util.EnumSet;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one table from domain refusals to HTTP: every kind has its status, and the body is the Failure shape. */
class ApiExceptionMapperTest {

    @Test
    void everyKindHasTheStatusTheContractsPromise() {
        Map<ApiException.Kind, Integer> expected = Map.of(
                ApiException.Kind.INVALID, 400,
                ApiException.Kind.UNAUTHENTICATED, 401,
                ApiException.Kind.FORBIDDEN, 403,
                ApiException.Kind.NOT_FOUND, 404,
                ApiException.Kind.CONFLICT, 409,
                ApiException.Kind.STALE, 412,
                ApiException.Kind.TOO_LARGE, 413,
                ApiException.Kind.UNUSABLE, 422,
                ApiException.Kind.TOO_OFTEN, 429,
                ApiException.Kind.UNAVAILABLE, 503);
        assertThat(expected.keySet()).isEqualTo(EnumSet.allOf(ApiException.Kind.class));
        expected.forEach((kind, status) -> assertThat(ApiExceptionMapper.statusOf(kind)).as(kind.name()).isEqualTo(status));
    }

    @Test
    void aQuotaRefusalIsTheSpecsInsufficientFunds() {
        Response response = new ApiExceptionMapper().api(new QuotaExceeded("the plan allows 10 pins"));
        assertThat(response.getStatus()).isEqualTo(409);
        Failure failure = (Failure) response.getEntity();
        assertThat(failure.error().reason()).isEqualTo("INSUFFICIENT_FUNDS");
        assertThat(failure.error().details()).isEqualTo("the plan allows 10 pins");
    }
}
