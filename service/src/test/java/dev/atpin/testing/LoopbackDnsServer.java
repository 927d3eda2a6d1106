package dev.atpin.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal authoritative DNS server on a free loopback UDP port that answers TXT queries from a fixed table
 * and NXDOMAIN for everything else, so the real JNDI DNS client can be tested without the network.
 */
public final class LoopbackDnsServer implements AutoCloseable {

    private static final int TXT = 16;

    private final DatagramSocket socket;
    private final Map<String, List<String>> txt;
    private final AtomicInteger queries = new AtomicInteger();
    private final Thread thread;

    /** @param txt name (without trailing dot) → TXT strings, one record each */
    public LoopbackDnsServer(Map<String, List<String>> txt) {
        this.txt = txt;
        try {
            socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
        thread = new Thread(this::serve, "loopback-dns");
        thread.setDaemon(true);
        thread.start();
    }

    /** {@code 127.0.0.1:PORT}, as {@code atpin.identity.dns.servers} takes it. */
    public String address() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    public int queries() {
        return queries.get();
    }

    private void serve() {
        byte[] buffer = new byte[512];
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
                queries.incrementAndGet();
                byte[] reply = answer(packet.getData(), packet.getLength());
                socket.send(new DatagramPacket(reply, reply.length, packet.getSocketAddress()));
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    private byte[] answer(byte[] q, int length) {
        // Question name: length-prefixed labels from offset 12 to a zero byte; then QTYPE and QCLASS.
        int at = 12;
        StringBuilder name = new StringBuilder();
        while (q[at] != 0) {
            int label = q[at] & 0xff;
            name.append(name.isEmpty() ? "" : ".").append(new String(q, at + 1, label, StandardCharsets.US_ASCII));
            at += label + 1;
        }
        int questionEnd = at + 5;
        int qtype = ((q[at + 1] & 0xff) << 8) | (q[at + 2] & 0xff);
        List<String> records = txt.get(name.toString().toLowerCase(Locale.ROOT));
        boolean found = records != null;
        List<String> answers = found && qtype == TXT ? records : List.of();

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(q[0]);
        out.write(q[1]); // same ID
        out.write(0x84 | (q[2] & 0x01)); // response, authoritative, RD copied
        out.write(found ? 0x00 : 0x03); // NOERROR or NXDOMAIN
        writeShort(out, 1);
        writeShort(out, answers.size());
        writeShort(out, 0);
        writeShort(out, 0);
        out.write(q, 12, questionEnd - 12);
        for (String value : answers) {
            byte[] text = value.getBytes(StandardCharsets.US_ASCII);
            writeShort(out, 0xc00c); // pointer to the question's name
            writeShort(out, TXT);
            writeShort(out, 1); // IN
            writeShort(out, 0);
            writeShort(out, 60); // TTL
            writeShort(out, text.length + 1);
            out.write(text.length);
            out.write(text, 0, text.length);
        }
        return out.toByteArray();
    }

    private static void writeShort(ByteArrayOutputStream out, int value) {
        out.write((value >> 8) & 0xff);
        out.write(value & 0xff);
    }

    @Override
    public void close() {
        socket.close();
    }
}
