package dev.atpin.watcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy in front of a firehose that, when {@link #cutNextFrame() armed}, forwards the
 * first half of the next WebSocket frame the server sends and then drops both connections. A real
 * peer cannot be made to lose a connection in the middle of a frame; this is that fault.
 *
 * <p>It follows the server's side of the WebSocket framing (RFC 6455 §5.2; server frames are
 * unmasked) after the HTTP upgrade response, so the cut lands inside a frame's payload, never on a
 * boundary. Client bytes are passed through untouched.
 */
final class FrameCuttingProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final AtomicBoolean armed = new AtomicBoolean();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger cuts = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicReference<byte[]> injection = new java.util.concurrent.atomic.AtomicReference<>();
    private volatile boolean closeAfterInjection;
    private final AtomicInteger injected = new AtomicInteger();
    private volatile long lastCutNanos;
    private volatile long lastConnectNanos;
    private volatile boolean closed;
    private final java.util.Set<Socket> open = java.util.concurrent.ConcurrentHashMap.newKeySet();

    FrameCuttingProxy(String targetHost, int targetPort) throws IOException {
        this.target = new InetSocketAddress(targetHost, targetPort);
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().name("cutting-proxy-accept").start(this::acceptLoop);
    }

    /** {@code http://127.0.0.1:PORT}: what the watcher is told the PDS is. */
    String url() {
        return "http://127.0.0.1:" + listener.getLocalPort();
    }

    /** The next server frame (of any connection) is cut in its middle, and that connection dropped. */
    void cutNextFrame() {
        armed.set(true);
    }

    /**
     * The next connection starts with {@code message} (a firehose frame: header and body) before anything the
     * server sends, as a server's own first frame; with {@code thenClose} the connection is then dropped, as a
     * server does after an error frame.
     */
    void injectOnNextConnection(byte[] message, boolean thenClose) {
        closeAfterInjection = thenClose;
        injection.set(message);
    }

    /** How many injected frames went out. */
    int injected() {
        return injected.get();
    }

    int connections() {
        return connections.get();
    }

    int cuts() {
        return cuts.get();
    }

    long lastCutNanos() {
        return lastCutNanos;
    }

    long lastConnectNanos() {
        return lastConnectNanos;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                open.add(client);
                open.add(server);
                server.connect(target, 5_000);
                connections.incrementAndGet();
                lastConnectNanos = System.nanoTime();
                Thread.ofVirtual().start(() -> pump(client, server));
                Thread.ofVirtual().start(() -> serverToClient(server, client));
            } catch (IOException e) {
                if (!closed) {
                    continue; // one failed connection: the watcher retries
                }
            }
        }
    }

    private static void pump(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException ignored) {
            // the other direction or a cut closed it
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void serverToClient(Socket server, Socket client) {
        Framing framing = new Framing();
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = server.getInputStream(); OutputStream out = client.getOutputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                int cutAt = framing.consume(buf, n, armed);
                if (framing.headEndedAt >= 0) {
                    byte[] message = injection.getAndSet(null);
                    if (message != null) {
                        out.write(buf, 0, framing.headEndedAt);
                        out.write(binaryFrame(message));
                        out.flush();
                        injected.incrementAndGet();
                        if (closeAfterInjection) {
                            break;
                        }
                        out.write(buf, framing.headEndedAt, n - framing.headEndedAt);
                        out.flush();
                        continue;
                    }
                }
                if (cutAt >= 0) {
                    out.write(buf, 0, cutAt);
                    out.flush();
                    cuts.incrementAndGet();
                    lastCutNanos = System.nanoTime();
                    break;
                }
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException ignored) {
            // dropped
        } finally {
            // An abrupt end, as when a peer or the network goes away: both sides see the connection drop.
            abort(client);
            abort(server);
        }
    }

    /** Follows the server's byte stream: the HTTP response head, then WebSocket frames. */
    private static final class Framing {
        private boolean inHead = true;
        private int headMatch; // how much of "\r\n\r\n" was just seen
        private final byte[] header = new byte[14];
        private int headerLen;
        private long remaining; // payload bytes of the current frame still to come
        private long payloadLen;
        /** Where the response head ended in the last chunk consumed, or -1. */
        int headEndedAt = -1;

        /** Consumes {@code n} bytes; returns how many to forward before a cut, or -1 for no cut. */
        int consume(byte[] buf, int n, AtomicBoolean armed) {
            headEndedAt = -1;
            for (int i = 0; i < n; i++) {
                byte b = buf[i];
                if (inHead) {
                    byte want = (headMatch % 2 == 0) ? (byte) '\r' : (byte) '\n';
                    headMatch = b == want ? headMatch + 1 : (b == '\r' ? 1 : 0);
                    if (headMatch == 4) {
                        inHead = false;
                        headEndedAt = i + 1;
                    }
                    continue;
                }
                if (remaining > 0) {
                    remaining--;
                    if (payloadLen >= 2 && remaining == payloadLen / 2 && armed.compareAndSet(true, false)) {
                        return i + 1; // half of this frame's payload has gone out
                    }
                    continue;
                }
                header[headerLen++] = b;
                if (headerLen >= 2) {
                    int len7 = header[1] & 0x7f;
                    int needed = len7 == 126 ? 4 : len7 == 127 ? 10 : 2;
                    if (headerLen == needed) {
                        payloadLen = len7 < 126 ? len7 : 0;
                        for (int k = 2; k < needed; k++) {
                            payloadLen = (payloadLen << 8) | (header[k] & 0xff);
                        }
                        remaining = payloadLen;
                        headerLen = 0;
                    }
                }
            }
            return -1;
        }
    }

    /** An unmasked server frame (RFC 6455 §5.2): FIN + binary, then the payload length. */
    private static byte[] binaryFrame(byte[] payload) {
        java.io.ByteArrayOutputStream frame = new java.io.ByteArrayOutputStream();
        frame.write(0x82);
        if (payload.length < 126) {
            frame.write(payload.length);
        } else if (payload.length < 65_536) {
            frame.write(126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xff);
        } else {
            frame.write(127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) (((long) payload.length >>> shift) & 0xff));
            }
        }
        frame.writeBytes(payload);
        return frame.toByteArray();
    }

    private static void abort(Socket socket) {
        try {
            socket.setSoLinger(true, 0); // RST, not a clean FIN
        } catch (IOException ignored) {
            // already closed
        }
        closeQuietly(socket);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        closed = true;
        open.forEach(FrameCuttingProxy::abort);
        try {
            listener.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
