package dev.atpin.watcher;

import dev.atpin.identity.net.FetchException;
import dev.atpin.identity.net.UrlPolicy;
import dev.atpin.ipld.FirehoseEvent;
import dev.atpin.ipld.FirehoseFrame;
import dev.atpin.ipld.IpldException;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Reads one upstream's {@code com.atproto.sync.subscribeRepos} and hands each frame to the
 * {@link FirehoseHandler}, one at a time and in order (the next frame is requested only when the
 * previous one is handled). Reconnects from the last handled {@code seq} when the connection drops.
 * Before every connection, the first and each reconnect, the endpoint is checked against the
 * {@link UrlPolicy} after resolving its host: a PDS host that now resolves to a private address, or an
 * endpoint on another port, is not connected to.
 *
 * <p>A connection can die without the socket saying so (a peer or a middlebox gone, or a connection cut in the
 * middle of a frame, which the JDK's WebSocket does not always report): while connected, the upstream is
 * pinged every third of {@code idleTimeout}, and a connection on which nothing at all (frame or pong) arrived for
 * {@code idleTimeout} is dropped and opened again from the cursor.
 */
final class FirehoseConsumer implements WebSocket.Listener {

    private static final Logger LOG = Logger.getLogger(FirehoseConsumer.class);

    private final String upstream;
    private final URI endpoint;
    private final FirehoseHandler handler;
    private final Duration reconnectDelay;
    private final Duration idleTimeout;
    private volatile long lastHeard = System.nanoTime();
    /** A frame is being handled: the socket is not read meanwhile, so silence then proves nothing. */
    private volatile boolean handling;
    private final HttpClient http;
    private final Optional<UrlPolicy> policy;
    /** Connecting can block in DNS lookups: never on the common pool. */
    private static final Executor CONNECTS = command -> Thread.ofVirtual().name("firehose-connect").start(command);
    private final AtomicLong lastSeq = new AtomicLong(-1);
    /** Address checks run so far: one per connection attempt, the evidence that reconnects are checked too. */
    private final AtomicLong policyChecks = new AtomicLong();
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
    private volatile boolean running = true;
    private volatile WebSocket socket;
    /** Frames are handled on the HTTP client's threads, which do not carry the application's class loader. */
    private final ClassLoader appClassLoader = Thread.currentThread().getContextClassLoader();

    /**
     * @param http   the client every consumer shares (HTTP/1.1)
     * @param policy checks the endpoint before each connection; empty for an upstream the operator chose (the relay)
     */
    FirehoseConsumer(String upstream, URI endpoint, OptionalLong cursor, FirehoseHandler handler,
            Duration reconnectDelay, Duration idleTimeout, HttpClient http, Optional<UrlPolicy> policy) {
        this.idleTimeout = idleTimeout;
        this.upstream = upstream;
        this.endpoint = endpoint;
        this.handler = handler;
        this.reconnectDelay = reconnectDelay;
        cursor.ifPresent(lastSeq::set);
        this.http = http;
        this.policy = policy;
    }

    String upstream() {
        return upstream;
    }

    /** The last handled sequence number, or -1 before the first. */
    long lastSeq() {
        return lastSeq.get();
    }

    void start() {
        CONNECTS.execute(this::connect);
    }

    void stop() {
        running = false;
        WebSocket ws = socket;
        if (ws != null) {
            ws.abort();
        }
    }

    private void connect() {
        if (!running) {
            return;
        }
        long seq = lastSeq.get();
        URI uri = URI.create(endpoint + "/xrpc/com.atproto.sync.subscribeRepos" + (seq >= 0 ? "?cursor=" + seq : ""));
        if (policy.isPresent()) {
            policyChecks.incrementAndGet();
            try {
                policy.get().check(uri, false, System.nanoTime() + Duration.ofSeconds(10).toNanos(), endpoint.toString());
            } catch (FetchException e) { // UnsafeUrlException too
                LOG.infof("firehose %s: not connecting: %s", upstream, e.getMessage());
                refused = e.getMessage();
                reconnectLater();
                return;
            }
        }
        refused = null;
        http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10)).buildAsync(uri, this)
                .whenComplete((ws, error) -> {
                    if (error != null) {
                        LOG.infof("firehose %s: cannot connect (%s); retrying", upstream, error.getMessage());
                        reconnectLater();
                    } else {
                        LOG.infof("firehose %s: connected from seq %d", upstream, seq);
                    }
                });
    }

    private void reconnectLater() {
        if (running) {
            CompletableFuture.delayedExecutor(reconnectDelay.toMillis(), TimeUnit.MILLISECONDS, CONNECTS)
                    .execute(this::connect);
        }
    }

    private volatile String refused;

    /** How many times the endpoint was checked against the address policy (once per connection attempt). */
    long policyChecks() {
        return policyChecks.get();
    }

    /** Why the last connection attempt was refused by the address policy, or empty when it was not. */
    Optional<String> refusedBecause() {
        return Optional.ofNullable(refused);
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        socket = webSocket;
        partial.reset();
        lastHeard = System.nanoTime();
        heartbeatLater(webSocket);
        if (lastSeq.get() < 0) {
            // Live from now: whatever happened since the repos' backfills is not in this stream.
            Thread.currentThread().setContextClassLoader(appClassLoader);
            try {
                handler.startedWithoutCursor(upstream);
            } catch (Exception e) {
                LOG.warnf("firehose %s: could not schedule resyncs: %s", upstream, e.getMessage());
            }
        }
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        // A binary message can arrive in pieces; frames are at most 5 MB.
        if (webSocket != socket) {
            return null; // a connection we dropped
        }
        lastHeard = System.nanoTime();
        byte[] chunk = new byte[data.remaining()];
        data.get(chunk);
        partial.writeBytes(chunk);
        if (partial.size() > FirehoseFrame.MAX_BYTES) {
            LOG.warnf("firehose %s: a message over %d bytes; reconnecting", upstream, FirehoseFrame.MAX_BYTES);
            partial.reset();
            dropAndReconnect(webSocket);
            return null;
        }
        if (last) {
            byte[] message = partial.toByteArray();
            partial.reset();
            Thread.currentThread().setContextClassLoader(appClassLoader);
            handling = true;
            try {
                handle(message);
            } finally {
                handling = false;
                lastHeard = System.nanoTime();
            }
        }
        if (running) {
            webSocket.request(1);
        }
        return null;
    }

    private void handle(byte[] message) {
        FirehoseFrame frame;
        try {
            frame = FirehoseFrame.parse(message);
        } catch (IpldException e) {
            LOG.infof("firehose %s: undecodable frame skipped: %s", upstream, e.getMessage());
            return;
        }
        if (frame.header().isError()) {
            FirehoseEvent event = frame.event();
            LOG.warnf("firehose %s: upstream error %s", upstream, event);
            return;
        }
        try {
            handler.handle(upstream, frame, message);
            failingSeq = -1;
            failures = 0;
        } catch (Exception e) {
            if (keepsFailing(frame) && quarantined(frame, message, e)) {
                advance(frame);
                return;
            }
            // The event stays unhandled: reconnect from before it so that it is seen again.
            LOG.warnf(e, "firehose %s: handling seq %s failed, will replay", upstream, frame.seq());
            WebSocket ws = socket;
            if (ws != null) {
                dropAndReconnect(ws);
            }
            return;
        }
        advance(frame);
    }

    private void advance(FirehoseFrame frame) {
        OptionalLong seq = frame.seq();
        if (seq.isPresent()) {
            lastSeq.accumulateAndGet(seq.getAsLong(), Math::max);
        }
    }

    /** Replays of one frame that failed each time; past this many it is quarantined instead of replayed again. */
    static final int MAX_REPLAYS = 5;
    private long failingSeq = -1;
    private int failures;

    private boolean keepsFailing(FirehoseFrame frame) {
        long seq = frame.seq().orElse(-1);
        if (seq < 0) {
            return false;
        }
        if (seq != failingSeq) {
            failingSeq = seq;
            failures = 0;
        }
        return ++failures > MAX_REPLAYS;
    }

    private boolean quarantined(FirehoseFrame frame, byte[] message, Exception failure) {
        try {
            handler.quarantine(upstream, frame, message, failure);
            failingSeq = -1;
            failures = 0;
            return true;
        } catch (Exception e) {
            return false; // the database is still unwell: keep replaying
        }
    }

    /** Drops a connection and opens another later; the dropped one's own close or error is then ignored. */
    private void dropAndReconnect(WebSocket ws) {
        if (socket != ws) {
            return; // already dropped
        }
        socket = null;
        ws.abort();
        reconnectLater();
    }

    private void heartbeatLater(WebSocket ws) {
        CompletableFuture.delayedExecutor(Math.max(1, idleTimeout.toMillis() / 3), TimeUnit.MILLISECONDS, CONNECTS)
                .execute(() -> heartbeat(ws));
    }

    private void heartbeat(WebSocket ws) {
        if (!running || socket != ws) {
            return;
        }
        if (!handling && System.nanoTime() - lastHeard > idleTimeout.toNanos()) {
            LOG.infof("firehose %s: nothing received for %d ms; reconnecting", upstream,
                    (System.nanoTime() - lastHeard) / 1_000_000);
            dropAndReconnect(ws);
            return;
        }
        try {
            ws.sendPing(ByteBuffer.allocate(0));
        } catch (RuntimeException e) {
            // a ping still outstanding, or the output is closed: silence will tell
        }
        heartbeatLater(ws);
    }

    @Override
    public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
        lastHeard = System.nanoTime();
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        if (webSocket != socket) {
            return null; // a connection we dropped: its replacement is on its way
        }
        socket = null;
        LOG.infof("firehose %s: closed (%d %s)", upstream, statusCode, reason);
        reconnectLater();
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        if (webSocket != socket) {
            return; // a connection we dropped
        }
        socket = null;
        if (running) {
            LOG.infof("firehose %s: connection lost (%s); reconnecting", upstream, error.getMessage());
            reconnectLater();
        }
    }
}
