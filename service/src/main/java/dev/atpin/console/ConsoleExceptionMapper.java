package dev.atpin.console;

import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Console requests that end early answer with the page or redirect they carry (never the API's JSON body). */
public class ConsoleExceptionMapper {

    @ServerExceptionMapper
    public Response console(ConsoleException e) {
        return e.response();
    }
}
