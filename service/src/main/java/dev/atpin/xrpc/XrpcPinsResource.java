package dev.atpin.xrpc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atpin.api.ApiException;
import dev.atpin.auth.CurrentCaller;
import dev.atpin.auth.Scope;
import dev.atpin.db.Retry;
import dev.atpin.pins.PinDto;
import dev.atpin.pins.PinInputs;
import dev.atpin.pins.PinService;
import dev.atpin.pins.ValidPin;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.Map;
import java.util.UUID;

/**
 * The Pinning Service API operations as XRPC methods ({@code openapi/lexicons/dev/atpin/pins/}),
 * for atproto apps calling on a user's behalf with a service-auth JWT, directly or through the
 * user's PDS ({@code atproto-proxy}). Same semantics and limits as {@code /psa/pins}.
 */
@Path("/xrpc")
@ServiceAuthRequired
@Produces(MediaType.APPLICATION_JSON)
public class XrpcPinsResource {

    private final PinService pins;
    private final PinInputs inputs;
    private final CurrentCaller caller;

    XrpcPinsResource(PinService pins, PinInputs inputs, CurrentCaller caller) {
        this.pins = pins;
        this.inputs = inputs;
        this.caller = caller;
    }

    /** The body of {@code replacePin}: which request, and the new pin. */
    public record Replace(JsonNode requestid, PinDto.Incoming pin) {}

    /** The body of {@code removePin}. */
    public record Remove(JsonNode requestid) {}

    @GET
    @Path("dev.atpin.pins.listPins")
    public Response listPins(@Context UriInfo uri) {
        return xrpc(() -> pins.list(did(Scope.READ), inputs.query(uri.getQueryParameters())));
    }

    @GET
    @Path("dev.atpin.pins.getPin")
    public Response getPin(@QueryParam("requestid") String requestid) {
        return xrpc(() -> pins.get(did(Scope.READ), requestId(requestid)));
    }

    @POST
    @Path("dev.atpin.pins.addPin")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response addPin(PinDto.Incoming body) {
        return xrpc(() -> {
            String did = did(Scope.WRITE);
            ValidPin pin = inputs.pin(body);
            return Retry.onConflict(() -> pins.add(did, pin));
        });
    }

    @POST
    @Path("dev.atpin.pins.replacePin")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response replacePin(Replace body) {
        return xrpc(() -> {
            String did = did(Scope.WRITE);
            if (body == null) {
                throw ApiException.badRequest("BAD_REQUEST_BODY", "send {\"requestid\": …, \"pin\": {…}}");
            }
            UUID id = requestId(body.requestid() == null ? null : body.requestid().asText());
            ValidPin pin = inputs.pin(body.pin());
            return Retry.onConflict(() -> pins.replace(did, id, pin));
        });
    }

    @POST
    @Path("dev.atpin.pins.removePin")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response removePin(Remove body) {
        return xrpc(() -> {
            String did = did(Scope.WRITE);
            UUID id = requestId(body == null || body.requestid() == null ? null : body.requestid().asText());
            Retry.onConflict(() -> {
                pins.delete(did, id);
                return null;
            });
            return Map.of();
        });
    }

    @FunctionalInterface
    private interface Call {
        Object run() throws Exception;
    }

    /** Runs an operation and answers in XRPC's shapes, success or refusal. */
    private static Response xrpc(Call call) {
        try {
            return Response.ok(call.run()).build();
        } catch (ApiException e) {
            return XrpcError.of(e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String did(Scope scope) {
        return caller.require(scope).did();
    }

    private static UUID requestId(String text) {
        if (text == null) {
            throw ApiException.badRequest("MISSING_REQUESTID", "'requestid' is required");
        }
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("no pin request " + (text.length() > 64 ? text.substring(0, 64) : text));
        }
    }
}
