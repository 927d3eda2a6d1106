package dev.atpin.ipld;

import java.util.Arrays;

/**
 * Purely syntactic parsing of IP literals and host names for {@link Multiaddr}.
 *
 * <p>These are hand-written rather than delegated to {@link java.net.InetAddress#getByName}, because that method
 * falls back to a DNS lookup for anything that is not a literal, and validating API input must never touch the
 * network. The parsers are strict: IPv4 octets with leading zeros are rejected (some resolvers read them as
 * octal), and IPv6 follows RFC 4291 section 2.2 exactly.
 */
final class NetSyntax {

    private static final int MAX_HOSTNAME_LENGTH = 253;
    private static final int MAX_LABEL_LENGTH = 63;

    private NetSyntax() {
    }

    /**
     * Parses a dotted-quad IPv4 address.
     *
     * @param text for example {@code 192.0.2.1}
     * @return the 4 address bytes, or null if the text is not a dotted quad
     */
    static byte[] parseIp4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            String part = parts[i];
            if (part.isEmpty() || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')) {
                return null;
            }
            int value = 0;
            for (int j = 0; j < part.length(); j++) {
                char c = part.charAt(j);
                if (c < '0' || c > '9') {
                    return null;
                }
                value = value * 10 + (c - '0');
            }
            if (value > 255) {
                return null;
            }
            out[i] = (byte) value;
        }
        return out;
    }

    /**
     * Parses an IPv6 address in any RFC 4291 text form: full, {@code ::}-compressed, or with a trailing dotted
     * IPv4 part. Zone suffixes ({@code %eth0}) are not part of the address; multiaddr carries them in
     * {@code /ip6zone}.
     *
     * @param text for example {@code 2001:db8::1}
     * @return the 16 address bytes, or null if the text is not an IPv6 address
     */
    static byte[] parseIp6(String text) {
        // The longest form is 6 full groups plus a dotted quad: 45 characters.
        if (text.isEmpty() || text.length() > 45) {
            return null;
        }
        int gap = text.indexOf("::");
        if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        int[] words = new int[8];
        if (gap < 0) {
            int[] all = parseWords(text, true);
            if (all == null || all.length != 8) {
                return null;
            }
            words = all;
        } else {
            int[] head = gap == 0 ? new int[0] : parseWords(text.substring(0, gap), false);
            int[] tail = gap + 2 == text.length() ? new int[0] : parseWords(text.substring(gap + 2), true);
            // "::" stands for at least one zero group.
            if (head == null || tail == null || head.length + tail.length > 7) {
                return null;
            }
            System.arraycopy(head, 0, words, 0, head.length);
            System.arraycopy(tail, 0, words, 8 - tail.length, tail.length);
        }
        byte[] out = new byte[16];
        for (int i = 0; i < 8; i++) {
            out[2 * i] = (byte) (words[i] >> 8);
            out[2 * i + 1] = (byte) words[i];
        }
        return out;
    }

    private static int[] parseWords(String part, boolean allowIp4Tail) {
        String[] groups = part.split(":", -1);
        int[] words = new int[groups.length + 1];
        int count = 0;
        for (int i = 0; i < groups.length; i++) {
            String group = groups[i];
            if (allowIp4Tail && i == groups.length - 1 && group.indexOf('.') >= 0) {
                byte[] ip4 = parseIp4(group);
                if (ip4 == null) {
                    return null;
                }
                words[count++] = ((ip4[0] & 0xff) << 8) | (ip4[1] & 0xff);
                words[count++] = ((ip4[2] & 0xff) << 8) | (ip4[3] & 0xff);
                continue;
            }
            if (group.isEmpty() || group.length() > 4) {
                return null;
            }
            int value = 0;
            for (int j = 0; j < group.length(); j++) {
                int digit = hexDigit(group.charAt(j));
                if (digit < 0) {
                    return null;
                }
                value = (value << 4) | digit;
            }
            words[count++] = value;
        }
        return Arrays.copyOf(words, count);
    }

    /**
     * The value of an ASCII hex digit.
     *
     * @param c the character
     * @return 0 to 15, or -1 if it is not a hex digit
     */
    static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /**
     * Writes an IPv6 address in the RFC 5952 canonical form, so that equal addresses give equal multiaddr
     * strings: lowercase, no leading zeros, the longest run (first on a tie) of two or more zero groups as
     * {@code ::}, and IPv4-mapped addresses as {@code ::ffff:a.b.c.d}.
     *
     * @param address 16 bytes
     * @return the canonical text
     */
    static String formatIp6(byte[] address) {
        int[] words = new int[8];
        for (int i = 0; i < 8; i++) {
            words[i] = ((address[2 * i] & 0xff) << 8) | (address[2 * i + 1] & 0xff);
        }
        if (words[0] == 0 && words[1] == 0 && words[2] == 0 && words[3] == 0 && words[4] == 0
                && words[5] == 0xffff) {
            return "::ffff:" + (address[12] & 0xff) + "." + (address[13] & 0xff) + "."
                    + (address[14] & 0xff) + "." + (address[15] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (words[i] != 0) {
                i++;
                continue;
            }
            int end = i;
            while (end < 8 && words[end] == 0) {
                end++;
            }
            if (end - i > bestLength) {
                bestStart = i;
                bestLength = end - i;
            }
            i = end;
        }
        StringBuilder out = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (!out.isEmpty() && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(words[i]));
        }
        return out.toString();
    }

    /**
     * Checks RFC 1123 host name syntax: dot-separated labels of 1 to 63 letters, digits, hyphens (not first or
     * last) and underscores (found in service names), at most 253 characters, optionally ending in a dot.
     *
     * @param text the candidate
     * @return true if it is a syntactically valid host name
     */
    static boolean isHostname(String text) {
        String name = text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
        if (name.isEmpty() || name.length() > MAX_HOSTNAME_LENGTH) {
            return false;
        }
        for (String label : name.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > MAX_LABEL_LENGTH
                    || label.charAt(0) == '-' || label.charAt(label.length() - 1) == '-') {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || c == '-' || c == '_';
                if (!ok) {
                    return false;
                }
            }
        }
        return true;
    }
}
