package dev.atpin.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * The reference atproto PDS ({@code @atproto/pds}, version pinned in {@code scripts/pds/package-lock.json})
 * with its own in-memory PLC directory, started for a test on free loopback ports by
 * {@code scripts/pds.sh}, with a throwaway data dir.
 *
 * <p>Its accounts are {@code did:plc} DIDs registered in that PLC and handles under {@code .test},
 * which no DNS resolves: resolve handles through this PDS and DIDs through {@link #plcUrl()}.
 * Anything that cannot start throws, so the test fails: nothing here ever skips.
 */
public final class PdsServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** An account on this PDS with a live session; the password exists only for the test run. */
    public record Account(String did, String handle, String password, String accessJwt) {
        @Override
        public String toString() {
            // keeps secrets out of assertion messages and logs
            return "Account[did=" + did + ", handle=" + handle + "]";
        }
    }

    /** A record written through {@code com.atproto.repo.createRecord}. */
    public record RecordRef(String uri, String cid) {}

    private final Process process;
    private final Path workDir;
    private final String pdsUrl;
    private final String plcUrl;
    private final String adminPassword;
    /** The PLC directory this PDS uses when it is not its own (then it can be restarted), else null. */
    private final String externalPlc;
    // HTTP/1.1: on plain http the JDK client asks for an h2c upgrade by default, and the PDS answers
    // any request carrying "Upgrade: h2c" by closing the connection without a response.
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private PdsServer(Process process, Path workDir, String pdsUrl, String plcUrl, String adminPassword,
            String externalPlc) {
        this.externalPlc = externalPlc;
        this.process = process;
        this.workDir = workDir;
        this.pdsUrl = pdsUrl;
        this.plcUrl = plcUrl;
        this.adminPassword = adminPassword;
    }

    /** Installs the pinned PDS into the cache when needed ({@code scripts/pds.sh install}, about a minute once). */
    public static void install() {
        Processes.run(RepoPaths.root(), Map.of(), List.of("bash", "scripts/pds.sh", "install"), 1800);
    }

    /** A handle on the PDS the global {@link PdsTestResource} started (no process of its own: close() does nothing). */
    public static PdsServer attach() {
        String url = System.getProperty("atpin.test.pds.url");
        if (url == null) {
            throw new IllegalStateException("no PDS in this test run");
        }
        return new PdsServer(null, null, url, System.getProperty("atpin.test.pds.plc"),
                System.getProperty("atpin.test.pds.admin"), null);
    }

    /** Starts a PDS and a PLC on free loopback ports and waits until both answer. */
    public static PdsServer start() {
        return launch(createWorkDir(), freePort(), freePort(), null);
    }

    /**
     * Starts a second PDS on a free loopback port that registers its accounts' DIDs in {@code plcUrl} (e.g. the
     * test stack's PLC, which the service resolves DIDs through) instead of a PLC of its own, so that it can be
     * {@link #restart() restarted} without losing them.
     */
    public static PdsServer startWithPlc(String plcUrl) {
        return launch(createWorkDir(), freePort(), 0, plcUrl);
    }

    /**
     * Stops this PDS (SIGTERM) and starts it again on the same port and data dir: its accounts, repos and
     * firehose sequence survive; sessions do not (the JWT secret is new), see {@link #signIn(Account)}.
     * Only for a PDS from {@link #startWithPlc(String)}: an own in-memory PLC would lose every DID.
     */
    public PdsServer restart() {
        if (process == null || externalPlc == null) {
            throw new IllegalStateException("only a PDS started with an external PLC can be restarted");
        }
        stop(process);
        return launch(workDir, URI.create(pdsUrl).getPort(), 0, externalPlc);
    }

    /** A fresh session for an account of this PDS ({@code com.atproto.server.createSession}). */
    public Account signIn(Account account) {
        JsonNode body = xrpcPost("com.atproto.server.createSession", null,
                Map.of("identifier", account.handle(), "password", account.password()));
        return new Account(account.did(), account.handle(), account.password(), body.path("accessJwt").asText());
    }

    private static Path createWorkDir() {
        try {
            return Files.createTempDirectory("atpin-pds-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temp dir for the PDS", e);
        }
    }

    private static PdsServer launch(Path work, int pdsPort, int plcPort, String externalPlc) {
        install();
        Path log = work.resolve("pds.log");
        Process process;
        try {
            // pds.sh execs Node, so destroy() below delivers SIGTERM to the launcher itself.
            ProcessBuilder builder = new ProcessBuilder("bash", "scripts/pds.sh", "start", String.valueOf(pdsPort),
                    String.valueOf(plcPort), work.resolve("data").toString())
                    .directory(RepoPaths.root().toFile())
                    .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
            if (externalPlc != null) {
                builder.environment().put("ATPIN_PDS_PLC_URL", externalPlc);
            }
            process = builder.start();
            process.getOutputStream().close();
        } catch (IOException e) {
            deleteTree(work);
            throw new IllegalStateException("cannot run scripts/pds.sh start", e);
        }
        try {
            JsonNode ready = JSON.readTree(readyLine(process, log));
            return new PdsServer(process, work, ready.path("pdsUrl").asText(), ready.path("plcUrl").asText(),
                    ready.path("adminPassword").asText(), externalPlc);
        } catch (IOException | RuntimeException e) {
            stop(process);
            String output = readLog(log);
            deleteTree(work);
            throw new IllegalStateException("the PDS did not start: " + e.getMessage() + "\n" + output, e);
        }
    }

    /** The first stdout line is the launcher's ready line; later output is drained so Node never blocks. */
    private static String readyLine(Process process, Path log) {
        CompletableFuture<String> first = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line = out.readLine();
                if (line == null) {
                    first.completeExceptionally(new IllegalStateException("the launcher exited before it was ready"));
                    return;
                }
                first.complete(line);
                while (out.readLine() != null) {
                    // nothing else is expected on stdout
                }
            } catch (IOException e) {
                first.completeExceptionally(e);
            }
        }, "pds-stdout");
        reader.setDaemon(true);
        reader.start();
        try {
            return first.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("no ready line within " + START_TIMEOUT.toSeconds() + " s");
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the PDS", e);
        }
    }

    /** The PDS's public URL and OAuth issuer, {@code http://localhost:PORT} (it only listens on 127.0.0.1). */
    public String pdsUrl() {
        return pdsUrl;
    }

    /** The PLC directory this PDS registers its DIDs in, {@code http://127.0.0.1:PORT}. */
    public String plcUrl() {
        return plcUrl;
    }

    /** What the PDS wrote to its log so far (for diagnosing a failed test). */
    public String log() {
        return readLog(workDir.resolve("pds.log"));
    }

    /** Basic-auth password of the PDS's admin API ({@code admin:<password>}); generated at start. */
    public String adminPassword() {
        return adminPassword;
    }

    /**
     * Creates {@code <localPart>.test} with a random password and returns its session.
     *
     * @param handleLocalPart the first label of the handle, e.g. {@code alice}
     */
    public Account createAccount(String handleLocalPart) {
        String handle = handleLocalPart + ".test";
        byte[] secret = new byte[12];
        RANDOM.nextBytes(secret);
        String password = HexFormat.of().formatHex(secret);
        JsonNode body = xrpcPost("com.atproto.server.createAccount", null, Map.of(
                "handle", handle, "password", password, "email", handleLocalPart + "@example.test"));
        return new Account(body.path("did").asText(), body.path("handle").asText(), password,
                body.path("accessJwt").asText());
    }

    /** Changes the account's handle to {@code <newLocalPart>.test} (updates its DID document in the PLC). */
    public String updateHandle(Account session, String newLocalPart) {
        String handle = newLocalPart + ".test";
        xrpcPost("com.atproto.identity.updateHandle", session, Map.of("handle", handle));
        return handle;
    }

    /** Writes a record into the account's repo ({@code com.atproto.repo.createRecord}). */
    public RecordRef createRecord(Account session, String collection, String rkey, Map<String, ?> record) {
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("repo", session.did());
        input.put("collection", collection);
        input.put("rkey", rkey);
        input.put("validate", false); // our lexicons are not known to the reference PDS
        input.put("record", withType(collection, record));
        JsonNode body = xrpcPost("com.atproto.repo.createRecord", session, input);
        return new RecordRef(body.path("uri").asText(), body.path("cid").asText());
    }

    /**
     * Uploads a blob ({@code com.atproto.repo.uploadBlob}) and returns the blob object to put in a
     * record ({@code $type: blob}, {@code ref}, {@code mimeType}, {@code size}).
     */
    public Map<String, Object> uploadBlob(Account session, byte[] data, String mimeType) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(pdsUrl + "/xrpc/com.atproto.repo.uploadBlob"))
                .header("Content-Type", mimeType)
                .header("Authorization", "Bearer " + session.accessJwt())
                .POST(HttpRequest.BodyPublishers.ofByteArray(data));
        JsonNode blob = checked("com.atproto.repo.uploadBlob", send(request)).path("blob");
        return JSON.convertValue(blob, Map.class);
    }

    /** Deletes a record from the account's repo ({@code com.atproto.repo.deleteRecord}). */
    public void deleteRecord(Account session, String collection, String rkey) {
        xrpcPost("com.atproto.repo.deleteRecord", session,
                Map.of("repo", session.did(), "collection", collection, "rkey", rkey));
    }

    /** A record's value as the PDS serves it, or empty when there is no such record. */
    public Optional<JsonNode> getRecord(String did, String collection, String rkey) {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(pdsUrl + "/xrpc/com.atproto.repo.getRecord?repo="
                + enc(did) + "&collection=" + enc(collection) + "&rkey=" + enc(rkey))).GET());
        if (r.statusCode() == 400 && r.body().contains("RecordNotFound")) {
            return Optional.empty();
        }
        return Optional.of(checked("com.atproto.repo.getRecord", r).path("value"));
    }

    /** Any XRPC query (GET) without authentication, e.g. {@code com.atproto.identity.resolveHandle}. */
    public JsonNode xrpcGet(String method, String query) {
        return xrpcGet(method, query, null);
    }

    /** Any XRPC query (GET), authenticated as {@code session} when it is not null. */
    public JsonNode xrpcGet(String method, String query, Account session) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(pdsUrl + "/xrpc/" + method
                + (query.isEmpty() ? "" : "?" + query))).GET();
        if (session != null) {
            request.header("Authorization", "Bearer " + session.accessJwt());
        }
        return checked(method, send(request));
    }

    /** The account's repo signing key as the PDS reports it ({@code did:key:…}), to compare with the DID doc. */
    public String signingKey(Account session) {
        return xrpcGet("com.atproto.identity.getRecommendedDidCredentials", "", session)
                .path("verificationMethods").path("atproto").asText();
    }

    private JsonNode xrpcPost(String method, Account session, Map<String, ?> input) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(pdsUrl + "/xrpc/" + method))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(input)));
            if (session != null) {
                request.header("Authorization", "Bearer " + session.accessJwt());
            }
            return checked(method, send(request));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("PDS request failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode checked(String method, HttpResponse<String> r) {
        if (r.statusCode() != 200) {
            throw new IllegalStateException(method + " answered " + r.statusCode() + ": " + r.body());
        }
        try {
            return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " answered invalid JSON", e);
        }
    }

    private static Map<String, Object> withType(String collection, Map<String, ?> record) {
        Map<String, Object> typed = new LinkedHashMap<>();
        typed.put("$type", collection);
        typed.putAll(record);
        return typed;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    /** Stops both servers (SIGTERM, then SIGKILL after 15 s) and deletes the data dir. */
    @Override
    public void close() {
        if (process == null) {
            return; // attached: the test stack owns it
        }
        stop(process);
        deleteTree(workDir);
    }

    private static void stop(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String readLog(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }
}
