package dev.atpin.watcher;

import dev.atpin.ipld.FirehoseEvent;
import dev.atpin.ipld.FirehoseFrame;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Reads the real PDS's firehose from the start and returns the frames of one repo that a test needs. */
final class FrameTap {

    private FrameTap() {}

    static byte[] commitFrame(String pdsUrl, String did, String path) throws Exception {
        return frame(pdsUrl, did, frame -> frame.event() instanceof FirehoseEvent.Commit commit
                && commit.ops().stream().anyMatch(op -> op.path().equals(path)));
    }

    /** The first frame of {@code did} since the start of the PDS's firehose that {@code wanted} accepts. */
    static byte[] frame(String pdsUrl, String did, Predicate<FirehoseFrame> wanted) throws Exception {
        CompletableFuture<byte[]> found = new CompletableFuture<>();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI uri = URI.create(pdsUrl.replace("http://", "ws://") + "/xrpc/com.atproto.sync.subscribeRepos?cursor=0");
        WebSocket ws = http.newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() {
            private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

            @Override
            public CompletionStage<?> onBinary(WebSocket socket, ByteBuffer data, boolean last) {
                byte[] chunk = new byte[data.remaining()];
                data.get(chunk);
                partial.writeBytes(chunk);
                if (last) {
                    byte[] message = partial.toByteArray();
                    partial.reset();
                    FirehoseFrame frame = FirehoseFrame.parse(message);
                    if (did.equals(frame.did()) && wanted.test(frame)) {
                        found.complete(message);
                    }
                }
                socket.request(1);
                return null;
            }
        }).get(10, TimeUnit.SECONDS);
        try {
            return found.get(Duration.ofSeconds(20).toSeconds(), TimeUnit.SECONDS);
        } finally {
            ws.abort();
        }
    }
}
