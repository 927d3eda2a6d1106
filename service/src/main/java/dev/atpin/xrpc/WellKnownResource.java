package dev.atpin.xrpc;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;

/**
 * Our {@code did:web} document, so that a PDS can proxy its users' calls to us
 * ({@code atproto-proxy: did:web:<host>#atpin_pins}) and sign service-auth tokens for us.
 */
@Path("/.well-known/did.json")
public class WellKnownResource {

    public static final String SERVICE_ID = "atpin_pins";

    private final ServiceConfig config;

    WellKnownResource(ServiceConfig config) {
        this.config = config;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> didDocument() {
        return Map.of(
                "@context", List.of("https://www.w3.org/ns/did/v1"),
                "id", config.did(),
                "service", List.of(Map.of(
                        "id", "#" + SERVICE_ID,
                        "type", "AtpinPinningService",
                        "serviceEndpoint", config.publicUrl().replaceAll("/$", ""))));
    }
}
