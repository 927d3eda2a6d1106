package dev.atpin.ipld;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * DAG-CBOR (the atproto "DRISL" profile of CBOR) to and from plain Java values.
 *
 * <p>The value model:
 * <table>
 *   <caption>CBOR kinds and their Java types</caption>
 *   <tr><th>CBOR</th><th>Java</th></tr>
 *   <tr><td>map (string keys only)</td><td>{@code Map<String, Object>} (a {@link LinkedHashMap} in input order)</td></tr>
 *   <tr><td>array</td><td>{@code List<Object>}</td></tr>
 *   <tr><td>text string</td><td>{@link String}</td></tr>
 *   <tr><td>integer</td><td>{@link Long}, or {@link BigInteger} outside the long range</td></tr>
 *   <tr><td>64-bit float</td><td>{@link Double}</td></tr>
 *   <tr><td>true, false, null</td><td>{@link Boolean}, {@code null}</td></tr>
 *   <tr><td>byte string</td><td>{@code byte[]}</td></tr>
 *   <tr><td>tag 42 (0x00 + binary CID)</td><td>{@link Cid}</td></tr>
 * </table>
 *
 * <p>Decoding uses Jackson's streaming CBOR parser for the values and checks every item's head bytes itself,
 * because Jackson accepts (and hides) much that DAG-CBOR forbids: tags other than 42 (it even turns tags 2/3
 * into numbers), integer map keys, undefined, half/single floats, indefinite lengths and non-minimal integer
 * encodings. What is rejected: any of those, duplicate map keys, strings that are not well-formed UTF-8, NaN and
 * infinities, trailing bytes, and input past the {@link Limits}. Map key <em>order</em> is not enforced on
 * decode: the bytes are authenticated by their hash, a PDS that wrote keys out of order still produced a
 * verifiable block, and refusing it would only break sync for that account; {@link #isCanonical} tells the
 * two apart where it matters.
 *
 * <p>Encoding is hand-written and canonical: definite lengths, shortest heads, map keys sorted by UTF-8 length
 * then bytewise, floats as 64-bit, tag 42 for {@link Cid}.
 */
public final class DagCbor {

    /** The CBOR tag DAG-CBOR uses for links. */
    public static final int CID_TAG = 42;

    /**
     * Bounds on untrusted input.
     *
     * @param maxBytes the largest input accepted
     * @param maxDepth how deeply maps and arrays may nest (the top-level value is depth 1)
     * @param maxItems how many values (every map, array, key-value pair and scalar counts) one input may hold;
     *                 this caps the memory a small input can make the decoder allocate
     */
    public record Limits(int maxBytes, int maxDepth, int maxItems) {

        /**
         * The defaults: 5 MB (the firehose frame cap), depth 64 (far beyond any lexicon), 1,000,000 items.
         */
        public static final Limits DEFAULT = new Limits(5 * 1024 * 1024, 64, 1_000_000);

        /** Validates the bounds. */
        public Limits {
            if (maxBytes < 1 || maxDepth < 1 || maxItems < 1) {
                throw new IllegalArgumentException("limits must be positive");
            }
        }
    }

    /**
     * A value decoded from the start of a longer input.
     *
     * @param value  the decoded value
     * @param length the number of bytes it took
     */
    public record Decoded(Object value, int length) {
    }

    private static final JsonFactory FACTORY = CBORFactory.builder()
            // Keys of untrusted input must not pile up in a shared symbol table.
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            // Duplicates are detected here, with a DAG-CBOR specific message.
            .disable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);
    private static final BigInteger MAX_UINT64 = TWO_64.subtract(BigInteger.ONE);
    private static final BigInteger MIN_NINT64 = TWO_64.negate();

    private DagCbor() {
    }

    /**
     * Decodes an input that holds exactly one DAG-CBOR value, within {@link Limits#DEFAULT}.
     *
     * @param bytes the encoded value
     * @return the value (see the class description for the types)
     * @throws IpldException if the input is not valid DAG-CBOR, has trailing bytes or exceeds the limits
     */
    public static Object decode(byte[] bytes) {
        return decode(bytes, Limits.DEFAULT);
    }

    /**
     * Decodes an input that holds exactly one DAG-CBOR value.
     *
     * @param bytes  the encoded value
     * @param limits bounds on size, nesting and item count
     * @return the value
     * @throws IpldException if the input is not valid DAG-CBOR, has trailing bytes or exceeds the limits
     */
    public static Object decode(byte[] bytes, Limits limits) {
        Objects.requireNonNull(bytes, "bytes");
        Decoded decoded = decodeFirst(bytes, 0, bytes.length, limits);
        int trailing = bytes.length - decoded.length();
        if (trailing != 0) {
            throw new IpldException("invalid DAG-CBOR: " + trailing + " trailing bytes after the value");
        }
        return decoded.value();
    }

    /**
     * Decodes the DAG-CBOR value that starts at {@code offset}; what follows it is left to the caller (firehose
     * frames are two values back to back).
     *
     * @param bytes  the input
     * @param offset where the value starts
     * @param length how many bytes from {@code offset} belong to the input
     * @param limits bounds on size, nesting and item count
     * @return the value and the number of bytes it took
     * @throws IpldException if no valid DAG-CBOR value starts there or it exceeds the limits
     */
    public static Decoded decodeFirst(byte[] bytes, int offset, int length, Limits limits) {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(limits, "limits");
        Objects.checkFromIndexSize(offset, length, bytes.length);
        if (length > limits.maxBytes()) {
            throw new IpldException("invalid DAG-CBOR: input of " + length + " bytes exceeds the limit of "
                    + limits.maxBytes());
        }
        if (length == 0) {
            throw new IpldException("invalid DAG-CBOR: empty input");
        }
        try (JsonParser parser = FACTORY.createParser(bytes, offset, length)) {
            Reader reader = new Reader(parser, bytes, offset + length, limits);
            JsonToken first = parser.nextToken();
            if (first == null) {
                throw new IpldException("invalid DAG-CBOR: empty input");
            }
            Object value = reader.value(first, 1);
            long end = parser.currentLocation().getByteOffset();
            return new Decoded(value, (int) (end - offset));
        } catch (IpldException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // Jackson's own complaints (truncation, bad UTF-8, unexpected break) and anything odd it trips over
            // on garbage: the caller only ever sees IpldException for bad input.
            throw new IpldException("invalid DAG-CBOR: " + firstLine(e.getMessage()), e);
        }
    }

    /**
     * Tells whether the input is the canonical DAG-CBOR encoding of the value it holds, that is, valid for
     * {@link #decode(byte[])} and byte-identical to {@link #encode} of the result (so map keys are in canonical
     * order). MST nodes and commits must be canonical for their CIDs to be reproducible.
     *
     * @param bytes the encoded value
     * @return true if canonical; false if non-canonical or invalid
     */
    public static boolean isCanonical(byte[] bytes) {
        try {
            return Arrays.equals(bytes, encode(decode(bytes)));
        } catch (IpldException e) {
            return false;
        }
    }

    /**
     * The CIDv1 (dag-cbor, sha2-256) of an encoded block, the "blessed" atproto link format.
     *
     * @param block the encoded bytes
     * @return the CID
     */
    public static Cid cid(byte[] block) {
        return Cid.v1(Cid.DAG_CBOR, Multihash.sha256(block));
    }

    /**
     * Encodes a value as canonical DAG-CBOR.
     *
     * @param value a value of the types listed in the class description; {@link Integer}, {@link Short},
     *              {@link Byte} and {@link Float} are accepted too and written as integers and 64-bit floats
     * @return the encoded bytes
     * @throws IpldException if the value holds an unsupported type, a non-string map key, NaN or an infinity, an
     *                       integer outside [-2^64, 2^64-1], or nests deeper than {@link Limits#DEFAULT}
     */
    public static byte[] encode(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        new Writer(out).write(value, 1);
        return out.toByteArray();
    }

    /**
     * Reads selected top-level scalar fields (strings, integers, booleans) of an encoded map without decoding the
     * rest: other values, byte strings included, are skipped unread. This is the cheap look at a firehose body
     * that decides whether the whole body is worth decoding; it is not a validation, the full decode is.
     *
     * @return the wanted fields that were present with a scalar value (absent ones are left out)
     * @throws IpldException if the input is not a map or is malformed along the way
     */
    static Map<String, Object> scan(byte[] bytes, int offset, int length, java.util.Set<String> wanted) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        Map<String, Object> found = new LinkedHashMap<>();
        try (JsonParser parser = FACTORY.createParser(bytes, offset, length)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IpldException("invalid DAG-CBOR: expected a map");
            }
            JsonToken token;
            while (found.size() < wanted.size() && (token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (value == null) {
                    throw new IpldException("invalid DAG-CBOR: truncated input");
                }
                if (!wanted.contains(name) || found.containsKey(name)) {
                    parser.skipChildren();
                    continue;
                }
                switch (value) {
                    case VALUE_STRING -> found.put(name, parser.getText());
                    case VALUE_NUMBER_INT -> found.put(name, parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                            ? parser.getBigIntegerValue() : parser.getLongValue());
                    case VALUE_TRUE, VALUE_FALSE -> found.put(name, parser.getBooleanValue());
                    default -> parser.skipChildren();
                }
            }
            return found;
        } catch (IpldException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new IpldException("invalid DAG-CBOR: " + firstLine(e.getMessage()), e);
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "malformed input";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /** The head of a CBOR data item as it appears in the input: major type, argument and the head's size. */
    private record Head(int major, int info, long argument, int size) {
    }

    /** Recursive descent over Jackson's tokens, cross-checked against the raw bytes at every item. */
    private static final class Reader {

        private final JsonParser parser;
        private final byte[] bytes;
        private final int end;
        private final Limits limits;
        private int items;

        Reader(JsonParser parser, byte[] bytes, int end, Limits limits) {
            this.parser = parser;
            this.bytes = bytes;
            this.end = end;
            this.limits = limits;
        }

        Object value(JsonToken token, int depth) throws IOException {
            if (++items > limits.maxItems()) {
                throw new IpldException("invalid DAG-CBOR: more than " + limits.maxItems() + " items");
            }
            int start = tokenStart();
            Head head = head(start);
            if (head.major() == 6) {
                return link(token, start, head);
            }
            switch (head.major()) {
                case 0, 1 -> {
                    requireToken(token, JsonToken.VALUE_NUMBER_INT, head);
                    return switch (parser.getNumberType()) {
                        case INT, LONG -> parser.getLongValue();
                        default -> parser.getBigIntegerValue();
                    };
                }
                case 2 -> {
                    requireToken(token, JsonToken.VALUE_EMBEDDED_OBJECT, head);
                    requireContent(start, head);
                    return parser.getBinaryValue();
                }
                case 3 -> {
                    requireToken(token, JsonToken.VALUE_STRING, head);
                    requireContent(start, head);
                    return text(parser.getText(), start, head);
                }
                case 4 -> {
                    requireToken(token, JsonToken.START_ARRAY, head);
                    requireDepth(depth);
                    requireCount(start, head, 1);
                    List<Object> list = new ArrayList<>();
                    JsonToken next;
                    while ((next = parser.nextToken()) != JsonToken.END_ARRAY) {
                        requirePresent(next);
                        list.add(value(next, depth + 1));
                    }
                    return list;
                }
                case 5 -> {
                    requireToken(token, JsonToken.START_OBJECT, head);
                    requireDepth(depth);
                    requireCount(start, head, 2);
                    Map<String, Object> map = new LinkedHashMap<>();
                    JsonToken next;
                    while ((next = parser.nextToken()) != JsonToken.END_OBJECT) {
                        requirePresent(next);
                        String key = key(next);
                        if (++items > limits.maxItems()) {
                            throw new IpldException("invalid DAG-CBOR: more than " + limits.maxItems() + " items");
                        }
                        JsonToken valueToken = parser.nextToken();
                        requirePresent(valueToken);
                        Object entry = value(valueToken, depth + 1);
                        if (map.containsKey(key)) {
                            throw new IpldException("invalid DAG-CBOR: duplicate map key \"" + key + "\"");
                        }
                        map.put(key, entry);
                    }
                    return map;
                }
                default -> {
                    return simple(token, head);
                }
            }
        }

        private Object simple(JsonToken token, Head head) throws IOException {
            switch (head.info()) {
                case 20 -> {
                    requireToken(token, JsonToken.VALUE_FALSE, head);
                    return Boolean.FALSE;
                }
                case 21 -> {
                    requireToken(token, JsonToken.VALUE_TRUE, head);
                    return Boolean.TRUE;
                }
                case 22 -> {
                    requireToken(token, JsonToken.VALUE_NULL, head);
                    return null;
                }
                case 27 -> {
                    requireToken(token, JsonToken.VALUE_NUMBER_FLOAT, head);
                    double value = parser.getDoubleValue();
                    if (Double.isNaN(value) || Double.isInfinite(value)) {
                        throw new IpldException("invalid DAG-CBOR: NaN and infinities are not allowed");
                    }
                    return value;
                }
                case 23 -> throw new IpldException("invalid DAG-CBOR: undefined is not allowed");
                case 25, 26 -> throw new IpldException("invalid DAG-CBOR: floats must be 64-bit");
                case 31 -> throw new IpldException("invalid DAG-CBOR: unexpected break (indefinite lengths are not"
                        + " allowed)");
                default -> throw new IpldException("invalid DAG-CBOR: simple value " + head.info()
                        + " is not allowed");
            }
        }

        private Cid link(JsonToken token, int start, Head tag) throws IOException {
            if (tag.argument() != CID_TAG) {
                throw new IpldException("invalid DAG-CBOR: tag " + tag.argument() + " is not allowed (only 42)");
            }
            Head content = head(start + tag.size());
            if (content.major() != 2) {
                throw new IpldException("invalid DAG-CBOR: tag 42 must wrap a byte string");
            }
            requireToken(token, JsonToken.VALUE_EMBEDDED_OBJECT, content);
            requireContent(start + tag.size(), content);
            byte[] raw = parser.getBinaryValue();
            if (raw.length < 2 || raw[0] != 0) {
                throw new IpldException("invalid DAG-CBOR: a link must be 0x00 followed by a binary CID");
            }
            try {
                return Cid.decode(Arrays.copyOfRange(raw, 1, raw.length));
            } catch (IpldException e) {
                throw new IpldException("invalid DAG-CBOR: bad link: " + e.getMessage(), e);
            }
        }

        private String key(JsonToken token) throws IOException {
            if (token != JsonToken.FIELD_NAME) {
                throw new IpldException("invalid DAG-CBOR: expected a map key");
            }
            int start = tokenStart();
            Head head = head(start);
            if (head.major() != 3) {
                throw new IpldException("invalid DAG-CBOR: map keys must be strings");
            }
            requireContent(start, head);
            return text(parser.currentName(), start, head);
        }

        /** Jackson substitutes or tolerates some malformed UTF-8 (surrogates, overlong forms): compare bytes. */
        private String text(String decoded, int start, Head head) {
            byte[] expected = decoded.getBytes(StandardCharsets.UTF_8);
            int from = start + head.size();
            if (!Arrays.equals(expected, 0, expected.length, bytes, from, from + (int) head.argument())) {
                throw new IpldException("invalid DAG-CBOR: string is not well-formed UTF-8");
            }
            return decoded;
        }

        private int tokenStart() {
            long offset = parser.currentTokenLocation().getByteOffset();
            if (offset < 0 || offset >= end) {
                throw new IpldException("invalid DAG-CBOR: truncated input");
            }
            return (int) offset;
        }

        /** Reads and checks an item head: no indefinite lengths, no reserved values, shortest argument. */
        private Head head(int at) {
            if (at >= end) {
                throw new IpldException("invalid DAG-CBOR: truncated input");
            }
            int initial = bytes[at] & 0xff;
            int major = initial >>> 5;
            int info = initial & 0x1f;
            if (major == 7) {
                // Simple values and floats: the "argument" is the value itself, checked by the caller.
                int size = switch (info) {
                    case 24 -> 2;
                    case 25 -> 3;
                    case 26 -> 5;
                    case 27 -> 9;
                    default -> 1;
                };
                return new Head(major, info, info, size);
            }
            if (info < 24) {
                return new Head(major, info, info, 1);
            }
            if (info == 31) {
                throw new IpldException("invalid DAG-CBOR: indefinite-length items are not allowed");
            }
            if (info > 27) {
                throw new IpldException("invalid DAG-CBOR: reserved additional information " + info);
            }
            int width = 1 << (info - 24);
            if (at + 1 + width > end) {
                throw new IpldException("invalid DAG-CBOR: truncated input");
            }
            long argument = 0;
            for (int i = 1; i <= width; i++) {
                argument = (argument << 8) | (bytes[at + i] & 0xff);
            }
            // The shortest form is mandatory: 1 byte below 24, then the narrowest width that fits.
            boolean minimal = switch (width) {
                case 1 -> argument >= 24;
                case 2 -> argument > 0xffL;
                case 4 -> argument > 0xffffL;
                default -> Long.compareUnsigned(argument, 0xffffffffL) > 0;
            };
            if (!minimal) {
                throw new IpldException("invalid DAG-CBOR: integer or length not in its shortest encoding");
            }
            return new Head(major, info, argument, 1 + width);
        }

        /** Strings and byte strings: the declared length must fit in the input, before Jackson allocates it. */
        private void requireContent(int start, Head head) {
            long available = end - (long) start - head.size();
            if (head.argument() < 0 || head.argument() > available) {
                throw new IpldException("invalid DAG-CBOR: truncated input (declares " + Long.toUnsignedString(
                        head.argument()) + " bytes, " + available + " left)");
            }
        }

        /** Arrays and maps: every element takes at least one byte, so a count beyond the input is a lie. */
        private void requireCount(int start, Head head, int bytesPerElement) {
            long available = end - (long) start - head.size();
            if (head.argument() < 0 || head.argument() > available / bytesPerElement) {
                throw new IpldException("invalid DAG-CBOR: truncated input (declares "
                        + Long.toUnsignedString(head.argument()) + " elements)");
            }
        }

        private void requireDepth(int depth) {
            if (depth > limits.maxDepth()) {
                throw new IpldException("invalid DAG-CBOR: nesting deeper than " + limits.maxDepth());
            }
        }

        private static void requirePresent(JsonToken token) {
            if (token == null) {
                throw new IpldException("invalid DAG-CBOR: truncated input");
            }
        }

        private static void requireToken(JsonToken actual, JsonToken expected, Head head) {
            if (actual != expected) {
                // Raw bytes and the parser disagree: only possible on input Jackson reinterprets.
                throw new IpldException("invalid DAG-CBOR: unexpected item (major type " + head.major() + ")");
            }
        }
    }

    /** Canonical encoder. */
    private static final class Writer {

        private static final Comparator<byte[]> KEY_ORDER =
                Comparator.<byte[]>comparingInt(key -> key.length).thenComparing(Arrays::compareUnsigned);

        private final ByteArrayOutputStream out;

        Writer(ByteArrayOutputStream out) {
            this.out = out;
        }

        void write(Object value, int depth) {
            if (depth > Limits.DEFAULT.maxDepth()) {
                throw new IpldException("cannot encode DAG-CBOR: nesting deeper than " + Limits.DEFAULT.maxDepth());
            }
            switch (value) {
                case null -> out.write(0xf6);
                case Boolean b -> out.write(b ? 0xf5 : 0xf4);
                case Long l -> integer(l);
                case Integer i -> integer(i);
                case Short s -> integer(s);
                case Byte b -> integer(b);
                case BigInteger big -> bigInteger(big);
                case Double d -> floating(d);
                case Float f -> floating(f);
                case String s -> {
                    byte[] utf8 = utf8(s);
                    head(3, utf8.length);
                    out.writeBytes(utf8);
                }
                case byte[] bytes -> {
                    head(2, bytes.length);
                    out.writeBytes(bytes);
                }
                case Cid cid -> {
                    byte[] binary = cid.bytes();
                    head(6, CID_TAG);
                    head(2, binary.length + 1L);
                    out.write(0);
                    out.writeBytes(binary);
                }
                case List<?> list -> {
                    head(4, list.size());
                    for (Object element : list) {
                        write(element, depth + 1);
                    }
                }
                case Map<?, ?> map -> map(map, depth);
                default -> throw new IpldException("cannot encode DAG-CBOR: unsupported type "
                        + value.getClass().getName());
            }
        }

        private void map(Map<?, ?> map, int depth) {
            List<KeyValue> entries = new ArrayList<>(map.size());
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (!(entry.getKey() instanceof String key)) {
                    throw new IpldException("cannot encode DAG-CBOR: map keys must be strings, got "
                            + (entry.getKey() == null ? "null" : entry.getKey().getClass().getName()));
                }
                entries.add(new KeyValue(utf8(key), entry.getValue()));
            }
            entries.sort(Comparator.comparing(KeyValue::key, KEY_ORDER));
            head(5, entries.size());
            for (KeyValue entry : entries) {
                head(3, entry.key().length);
                out.writeBytes(entry.key());
                write(entry.value(), depth + 1);
            }
        }

        private record KeyValue(byte[] key, Object value) {
        }

        /** Java strings may hold lone surrogates, which have no UTF-8 form (getBytes would write '?'). */
        private static byte[] utf8(String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            if (!new String(utf8, StandardCharsets.UTF_8).equals(s)) {
                throw new IpldException("cannot encode DAG-CBOR: string is not valid Unicode (lone surrogate)");
            }
            return utf8;
        }

        private void integer(long value) {
            if (value >= 0) {
                head(0, value);
            } else {
                // -1 - value never overflows for a negative long.
                head(1, -1 - value);
            }
        }

        private void bigInteger(BigInteger value) {
            if (value.compareTo(MAX_UINT64) > 0 || value.compareTo(MIN_NINT64) < 0) {
                throw new IpldException("cannot encode DAG-CBOR: integer out of the 64-bit range: " + value);
            }
            if (value.signum() >= 0) {
                head(0, value.longValue());
            } else {
                head(1, BigInteger.ONE.negate().subtract(value).longValue());
            }
        }

        private void floating(double value) {
            if (Double.isNaN(value) || Double.isInfinite(value)) {
                throw new IpldException("cannot encode DAG-CBOR: NaN and infinities are not allowed");
            }
            out.write(0xfb);
            long bits = Double.doubleToLongBits(value);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) (bits >>> shift));
            }
        }

        /** Writes a head with the shortest argument; {@code argument} is unsigned. */
        private void head(int major, long argument) {
            int type = major << 5;
            if (argument >= 0 && argument < 24) {
                out.write(type | (int) argument);
            } else if (argument >= 0 && argument <= 0xff) {
                out.write(type | 24);
                out.write((int) argument);
            } else if (argument >= 0 && argument <= 0xffff) {
                out.write(type | 25);
                out.write((int) (argument >>> 8));
                out.write((int) argument);
            } else if (argument >= 0 && argument <= 0xffffffffL) {
                out.write(type | 26);
                for (int shift = 24; shift >= 0; shift -= 8) {
                    out.write((int) (argument >>> shift));
                }
            } else {
                out.write(type | 27);
                for (int shift = 56; shift >= 0; shift -= 8) {
                    out.write((int) (argument >>> shift));
                }
            }
        }
    }
}
