/**
 * Parsing and encoding of the content-addressed formats the service handles, and verification of atproto
 * repositories built from them.
 *
 * <ul>
 *   <li>Multiformats: unsigned varints, multibase strings, base58btc, multihashes, CIDs and multiaddrs
 *       (dependency-free).</li>
 *   <li>{@link dev.atpin.ipld.DagCbor}: strict DAG-CBOR decoding on Jackson's streaming CBOR parser, and canonical
 *       encoding.</li>
 *   <li>{@link dev.atpin.ipld.CarReader} / {@link dev.atpin.ipld.CarWriter}: CAR v1, with every block checked
 *       against its CID.</li>
 *   <li>{@link dev.atpin.ipld.Mst}, {@link dev.atpin.ipld.MstBuilder}, {@link dev.atpin.ipld.MstInversion}: the
 *       atproto Merkle Search Tree — lookups and proofs, full walks, canonical construction and record-operation
 *       inversion.</li>
 *   <li>{@link dev.atpin.ipld.RepoCommit}, {@link dev.atpin.ipld.FirehoseFrame},
 *       {@link dev.atpin.ipld.FirehoseEvent}, {@link dev.atpin.ipld.CommitVerification}: signed commits, the
 *       {@code subscribeRepos} wire format and the self-contained checks of a commit event.</li>
 * </ul>
 *
 * <p>Everything here treats its input as hostile: it validates strictly, bounds sizes, and reports malformed input
 * as {@link dev.atpin.ipld.IpldException} (an {@link IllegalArgumentException}), so callers handling untrusted
 * data only need to catch that one type. Where incomplete data is an expected condition (a firehose diff holds part
 * of a tree) the result types say so explicitly instead of throwing. The implementations follow the multiformats,
 * IPLD and atproto specifications and are tested against their published vectors.
 */
package dev.atpin.ipld;
