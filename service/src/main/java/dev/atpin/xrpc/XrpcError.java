package dev.atpin.xrpc;

import dev.atpin.api.ApiException;
import dev.atpin.api.ApiExceptionMapper;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Locale;

/** XRPC's error body, {@code {"error": "Name", "message": "…"}}, as atproto clients expect it. */
public record XrpcError(String error, String message) {

    public static Response response(int status, String error, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new XrpcError(error, message)).build();
    }

    /** Our API refusals in XRPC form: {@code INVALID_CID} becomes {@code InvalidCid}. */
    public static Response of(ApiException e) {
        StringBuilder name = new StringBuilder();
        for (String word : e.reason().toLowerCase(Locale.ROOT).split("_")) {
            if (!word.isEmpty()) {
                name.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1));
            }
        }
        return response(ApiExceptionMapper.statusOf(e.kind()), name.toString(), e.details());
    }
}
