package dev.atpin.console;

import jakarta.ws.rs.core.Response;

/** Ends a console request with a ready response (a page, or a redirect to the login). */
final class ConsoleException extends RuntimeException {

    private final transient Response response;

    ConsoleException(Response response) {
        super(null, null, false, false);
        this.response = response;
    }

    Response response() {
        return response;
    }
}
