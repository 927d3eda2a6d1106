package dev.atpin.ipld;

import java.io.Serial;

/**
 * Malformed IPLD/multiformats input: a CID, multihash, multibase string, varint or multiaddr that does not
 * follow its specification.
 *
 * <p>It extends {@link IllegalArgumentException} so that existing "bad argument" handling (for example, mapping
 * to HTTP 400) applies unchanged, while still letting callers catch exactly the parsing failures of this package.
 */
public class IpldException extends IllegalArgumentException {

    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a human-readable explanation of what is wrong with the input.
     *
     * @param message what is wrong, phrased so it can be shown to an API client
     */
    public IpldException(String message) {
        super(message);
    }

    /**
     * Creates an exception that adds context to a lower-level parsing failure.
     *
     * @param message what is wrong, phrased so it can be shown to an API client
     * @param cause   the underlying failure
     */
    public IpldException(String message, Throwable cause) {
        super(message, cause);
    }
}
