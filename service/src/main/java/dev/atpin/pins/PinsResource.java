package dev.atpin.pins;

import dev.atpin.api.ApiException;
import dev.atpin.auth.ApiTokenAuth;
import dev.atpin.auth.CurrentCaller;
import dev.atpin.auth.Scope;
import dev.atpin.db.Retry;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.InputStream;
import java.net.URI;
import java.sql.SQLException;
import java.util.UUID;

/** The IPFS Pinning Service API v1.0.0, mounted at {@code /psa} (clients configure {@code https://host/psa}). */
@Path("/psa/pins")
@ApiTokenAuth
@Produces(MediaType.APPLICATION_JSON)
public class PinsResource {

    private final PinService pins;
    private final PinInputs inputs;
    private final CurrentCaller caller;

    PinsResource(PinService pins, PinInputs inputs, CurrentCaller caller) {
        this.pins = pins;
        this.inputs = inputs;
        this.caller = caller;
    }

    @GET
    public PinResultsDto list(@Context UriInfo uri) throws SQLException {
        String did = caller.require(Scope.READ).did();
        return pins.list(did, inputs.query(uri.getQueryParameters()));
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response add(@Context UriInfo uri, PinDto.Incoming body) throws Exception {
        String did = caller.require(Scope.WRITE).did();
        ValidPin pin = inputs.pin(body);
        return created(uri, Retry.onConflict(() -> pins.add(did, pin)));
    }

    @GET
    @Path("{requestid}")
    public PinStatusDto get(@PathParam("requestid") String requestid) throws SQLException {
        String did = caller.require(Scope.READ).did();
        return pins.get(did, requestId(requestid));
    }

    /**
     * Whose request it names comes first, before the body is read: another tenant's requestid, or one nobody
     * has, is a 404 whatever was sent with it, so no answer tells "exists, but not yours" from "does not exist"
     * (issue 14). Hence the raw body and no {@code @Consumes}: JAX-RS would check the media type and read the
     * JSON before this method runs; {@link PinInputs#pin(byte[], MediaType)} does both, with the same answers,
     * after the lookup. The one answer before it is {@code BodyLimit}'s 413 for a declared oversize body, which
     * comes before authentication too and is the same for every requestid.
     */
    @POST
    @Path("{requestid}")
    public Response replace(@Context UriInfo uri, @Context HttpHeaders headers,
            @PathParam("requestid") String requestid, InputStream body) throws Exception {
        String did = caller.require(Scope.WRITE).did();
        UUID id = requestId(requestid);
        pins.requireOwn(did, id);
        ValidPin pin = inputs.pin(body.readAllBytes(), headers.getMediaType());
        return created(uri, Retry.onConflict(() -> pins.replace(did, id, pin)));
    }

    /**
     * A 202 with the new request's address in {@code Location}, as HTTP has it for a created resource. Made by
     * concatenation: a {@code UriBuilder} from the resource class took a fifth of an add's CPU in the profile.
     */
    private static Response created(UriInfo uri, PinStatusDto status) {
        String base = uri.getBaseUri().toString();
        String slash = base.endsWith("/") ? "" : "/";
        return Response.accepted(status).location(URI.create(base + slash + PINS + status.requestid())).build();
    }

    /** This resource's path relative to the base URI, and a slash. */
    private static final String PINS = "psa/pins/";

    @DELETE
    @Path("{requestid}")
    public Response delete(@PathParam("requestid") String requestid) throws Exception {
        String did = caller.require(Scope.WRITE).did();
        UUID id = requestId(requestid);
        Retry.onConflict(() -> {
            pins.delete(did, id);
            return null;
        });
        return Response.accepted().build();
    }

    /** A requestid we never issued is simply not found, whatever its shape. */
    private static UUID requestId(String text) {
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("no pin request " + (text.length() > 64 ? text.substring(0, 64) : text));
        }
    }
}
