package dev.atpin.loadtests.gatling;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.during;
import static io.gatling.javaapi.http.HttpDsl.http;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * What every simulation reads from system properties set by the runner ({@code bench.*}): where to
 * send requests, how many users for how long, and the files the runner prepared (tokens, ids).
 */
public final class BenchParams {

    private BenchParams() {}

    public static String baseUrl() {
        return System.getProperty("bench.baseUrl", "http://127.0.0.1:8080");
    }

    /** The Pinning Service API base, to which {@code /pins} is appended. */
    public static String psaBase() {
        return System.getProperty("bench.psaBase", baseUrl() + "/psa");
    }

    /** HTTP statuses that count as success for a write ({@code bench.expectStatus}, comma separated; 202 by default). */
    public static java.util.List<Integer> expectedStatuses() {
        return java.util.Arrays.stream(System.getProperty("bench.expectStatus", "202").split(","))
                .map(String::trim).map(Integer::valueOf).toList();
    }

    /** An endless random feeder over lines {@code label<TAB>query string}. */
    public static Iterator<Map<String, Object>> queryFeeder(List<String> lines) {
        List<Map<String, Object>> rows = lines.stream().map(l -> {
            int tab = l.indexOf('\t');
            return Map.<String, Object>of("label", l.substring(0, tab), "query", l.substring(tab + 1));
        }).toList();
        return Stream.generate((Supplier<Map<String, Object>>)
                () -> rows.get(ThreadLocalRandom.current().nextInt(rows.size()))).iterator();
    }

    /** Concurrent virtual users of the closed model, each with its own connection (like wrk's connections). */
    public static int users() {
        return Integer.getInteger("bench.users", 16);
    }

    public static Duration duration() {
        return Duration.ofSeconds(Long.getLong("bench.seconds", 30));
    }

    /**
     * The arrival rate of an open-model run ({@code bench.rate}: new requests per second, sent whether or not the
     * earlier ones were answered), or 0 for the closed model ({@link #users()} users, each sending its next request
     * only once the previous one is answered).
     */
    public static double rate() {
        return Double.parseDouble(System.getProperty("bench.rate", "0"));
    }

    /**
     * Who sends {@code request}, for {@link #duration()}. Closed model (no {@code bench.rate}): {@link #users()} users
     * at once, each repeating it back to back: the throughput at saturation, whose latencies are mostly time spent
     * queueing. Open model: {@link #rate()} new users a second, evenly spaced, each sending it once: the latency at
     * that load, a slow answer no longer holding back the requests behind it (no coordinated omission).
     */
    public static PopulationBuilder injection(ScenarioBuilder scenario, ChainBuilder request) {
        if (rate() > 0) {
            return scenario.exec(request).injectOpen(constantUsersPerSec(rate()).during(duration()));
        }
        return scenario.exec(during(duration()).on(request)).injectOpen(atOnceUsers(users()));
    }

    /**
     * The HTTP protocol for {@code baseUrl}. In the open model every request is a user of its own: they share one
     * pool of kept-alive connections (opened as the load needs them), so that a figure is not a TCP handshake.
     */
    public static HttpProtocolBuilder protocol(String baseUrl) {
        HttpProtocolBuilder protocol = http.baseUrl(baseUrl).acceptHeader("application/json");
        return rate() > 0 ? protocol.shareConnections() : protocol;
    }

    /** A file the runner wrote, one value per line. */
    public static List<String> lines(String property) {
        String file = System.getProperty(property);
        if (file == null) {
            throw new IllegalStateException("system property " + property + " is not set (the runner sets it)");
        }
        try (Stream<String> lines = Files.lines(Path.of(file))) {
            return lines.filter(l -> !l.isBlank()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An endless feeder drawing uniformly from {@code values} under {@code key}. */
    public static Iterator<Map<String, Object>> randomFeeder(String key, List<String> values) {
        return Stream.generate((Supplier<Map<String, Object>>)
                () -> Map.of(key, values.get(ThreadLocalRandom.current().nextInt(values.size())))).iterator();
    }

    /** An endless feeder cycling through {@code values} under {@code key}, each handed out once per cycle. */
    public static Iterator<Map<String, Object>> cyclingFeeder(String key, List<String> values) {
        AtomicLong next = new AtomicLong();
        return Stream.generate((Supplier<Map<String, Object>>)
                () -> Map.of(key, values.get((int) (next.getAndIncrement() % values.size())))).iterator();
    }

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();

    /** A CIDv1 (raw, sha2-256) of random bytes, base32: a new content nobody has. */
    public static String randomCid() {
        byte[] digest = new byte[32];
        RANDOM.nextBytes(digest);
        return rawCid(digest);
    }

    /** The CIDv1 base32 string of a raw block whose sha2-256 digest is {@code digest}. */
    public static String rawCid(byte[] digest) {
        byte[] bytes = new byte[36];
        bytes[0] = 0x01;
        bytes[1] = 0x55;
        bytes[2] = 0x12;
        bytes[3] = 0x20;
        System.arraycopy(digest, 0, bytes, 4, 32);
        StringBuilder out = new StringBuilder("b");
        int buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                out.append(BASE32[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(BASE32[(buffer << (5 - bits)) & 31]);
        }
        return out.toString();
    }

    /** A short random token for names and meta values. */
    public static String randomWord() {
        byte[] b = new byte[6];
        ThreadLocalRandom.current().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
