/**
 * Dependency-free parsing and encoding of the multiformats the service handles: unsigned varints,
 * multibase strings, base58btc, multihashes, CIDs and multiaddrs.
 *
 * <p>Everything here validates strictly and reports malformed input as {@link dev.atpin.ipld.IpldException}
 * (an {@link IllegalArgumentException}), so callers handling untrusted API input only need to catch that one
 * type. The implementations follow the multiformats specifications and are tested against their published
 * vectors.
 */
package dev.atpin.ipld;
