package dev.atpin.testing;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import com.atlassian.oai.validator.restassured.RestAssuredRequest;
import com.atlassian.oai.validator.restassured.RestAssuredResponse;
import io.restassured.RestAssured;
import io.restassured.filter.Filter;
import io.restassured.filter.FilterContext;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;
import java.net.URI;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Checks every response of the Pinning Service API ({@code /psa}) and the admin API ({@code /admin/v1})
 * that a test receives through RestAssured against the contract we serve, {@code openapi/*.yaml}, so the
 * code and the contract cannot drift apart: a response the contract does not allow (undocumented status,
 * missing or extra-typed field, wrong content type) fails the test that made the request.
 *
 * <p>Requests are not validated: many tests send invalid ones on purpose, to see them refused; what the
 * service answers to them is still checked. Installed once for all tests by {@link ContractValidationCallback}.
 */
public final class ContractValidation implements Filter {

    private static final ContractValidation INSTANCE = new ContractValidation();

    private final List<Surface> surfaces = List.of(
            new Surface("/psa", validator("pinning-service.yaml", "/psa")),
            new Surface("/admin/v1", validator("admin.yaml", "/admin/v1")));
    private final AtomicLong validated = new AtomicLong();

    private record Surface(String prefix, OpenApiInteractionValidator validator) {}

    private ContractValidation() {}

    /** Adds the filter to RestAssured's global filters unless it is there already (idempotent). */
    public static void install() {
        if (RestAssured.filters().stream().noneMatch(f -> f instanceof ContractValidation)) {
            RestAssured.filters(INSTANCE);
        }
    }

    /** How many responses were checked so far in this JVM (for the test that proves the filter is on). */
    public static long validatedResponses() {
        return INSTANCE.validated.get();
    }

    private static OpenApiInteractionValidator validator(String file, String basePath) {
        return OpenApiInteractionValidator
                .createForSpecificationUrl(RepoPaths.root().resolve("openapi").resolve(file).toUri().toString())
                .withBasePathOverride(basePath)
                .withLevelResolver(LevelResolver.create()
                        .withLevel("validation.request", ValidationReport.Level.IGNORE)
                        .build())
                .build();
    }

    @Override
    public Response filter(FilterableRequestSpecification request, FilterableResponseSpecification spec, FilterContext ctx) {
        Response response = ctx.next(request, spec);
        String path = URI.create(request.getURI()).getRawPath();
        for (Surface surface : surfaces) {
            if (path.equals(surface.prefix()) || path.startsWith(surface.prefix() + "/")) {
                ValidationReport report = surface.validator().validate(RestAssuredRequest.of(request), RestAssuredResponse.of(response));
                validated.incrementAndGet();
                if (report.hasErrors()) {
                    throw new AssertionError("the response to " + request.getMethod() + " " + path + " (" + response.statusCode()
                            + ") breaks openapi" + surface.prefix() + " contract:\n" + report.getMessages()
                            + "\nbody: " + response.asString());
                }
                break;
            }
        }
        return response;
    }
}
