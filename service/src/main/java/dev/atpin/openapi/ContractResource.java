package dev.atpin.openapi;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.util.Set;

/**
 * Serves the API contracts from {@code openapi/} as they are in the repo: the files are the
 * source of truth, not generated from code.
 */
@Path("/openapi")
public class ContractResource {

    private static final Set<String> CONTRACTS = Set.of("pinning-service.yaml", "admin.yaml");

    @GET
    @Path("{file}")
    @Produces("application/yaml")
    public Response contract(@PathParam("file") String file) {
        if (!CONTRACTS.contains(file)) {
            throw new jakarta.ws.rs.NotFoundException();
        }
        InputStream in = getClass().getResourceAsStream("/openapi/" + file);
        if (in == null) {
            throw new jakarta.ws.rs.NotFoundException();
        }
        return Response.ok(in).build();
    }
}
