package dev.atpin.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A small HTTP server on a free loopback port that records every request it gets, so a test can show that a
 * refused URL never reached it (or that an allowed one did).
 */
public final class LoopbackHttpServer implements AutoCloseable {

    /** What a route answers. */
    @FunctionalInterface
    public interface Handler {
        void handle(HttpExchange exchange) throws IOException;
    }

    private final HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();

    public LoopbackHttpServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:PORT} */
    public String url() {
        return "http://127.0.0.1:" + port();
    }

    /** Paths of the requests received so far, in order. */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    public LoopbackHttpServer route(String path, Handler handler) {
        server.createContext(path, exchange -> {
            requests.add(exchange.getRequestURI().toString());
            try (exchange) {
                handler.handle(exchange);
            }
        });
        return this;
    }

    /** A route that answers 200 with a fixed body. */
    public LoopbackHttpServer text(String path, String contentType, String body) {
        return route(path, exchange -> respond(exchange, 200, contentType, body));
    }

    /** A route that redirects to {@code location} with the given status. */
    public LoopbackHttpServer redirect(String path, int status, String location) {
        return route(path, exchange -> {
            exchange.getResponseHeaders().add("Location", location);
            exchange.sendResponseHeaders(status, -1);
        });
    }

    public static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
