package dev.atpin.oauth.client;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/**
 * The confidential client's public documents: the client metadata document (its URL is our
 * {@code client_id}) and the JWKS it points to. The loopback client has neither: 404.
 */
// At "/" like the dashboard: a class at "/oauth" would capture every /oauth/* request, /oauth/callback included.
@Path("/")
public class ClientResource {

    private final ClientAuth auth;

    ClientResource(ClientAuth auth) {
        this.auth = auth;
    }

    @GET
    @Path("oauth/client-metadata.json")
    @Produces(MediaType.APPLICATION_JSON)
    public Response metadata() {
        if (!auth.settings().confidential()) {
            return notHere();
        }
        return cached(ClientMetadata.document(auth.settings()));
    }

    @GET
    @Path("oauth/jwks.json")
    @Produces(MediaType.APPLICATION_JSON)
    public Response jwks() {
        return auth.keys().map(k -> cached(k.publicJwks().toJSONObject(true))).orElseGet(ClientResource::notHere);
    }

    private static Response cached(Map<String, Object> body) {
        CacheControl cache = new CacheControl();
        cache.setMaxAge(300); // authorization servers cache these; a rotation is seen within minutes
        return Response.ok(body).cacheControl(cache).build();
    }

    private static Response notHere() {
        return Response.status(404).type(MediaType.APPLICATION_JSON)
                .entity(Map.of("error", "not_found",
                        "error_description", "this service runs the loopback development OAuth client"))
                .build();
    }
}
