package dev.atpin.identity;

import org.jboss.logging.Logger;

/**
 * What a user typed (a handle or a DID) → a {@link ResolvedIdentity}, with the handle verified in both
 * directions: the handle must resolve to the DID, and the DID document must claim the handle.
 *
 * <p>The DID is what counts: a handle that fails the check does not make resolution fail, it is reported as
 * {@link Handle#INVALID}. A DID document without a PDS or a signing key does fail, since nothing here can
 * work with such an account.
 */
public final class IdentityResolver {

    private static final Logger LOG = Logger.getLogger(IdentityResolver.class);

    private final HandleResolver handles;
    private final DidResolver dids;

    public IdentityResolver(HandleResolver handles, DidResolver dids) {
        this.handles = handles;
        this.dids = dids;
    }

    /**
     * Resolves {@code did:…}, a handle, {@code @handle} or {@code at://handle}.
     *
     * @throws IdentityException if the input is malformed, the handle has no DID, or the DID document cannot
     *                           be fetched or lacks a PDS or signing key
     */
    public ResolvedIdentity resolve(String handleOrDid) {
        String input = handleOrDid == null ? "" : handleOrDid.strip();
        if (input.startsWith("did:")) {
            return resolve(new Did(input));
        }
        Handle handle = Handle.parse(input);
        Did did = handles.resolve(handle)
                .orElseThrow(() -> new IdentityException("handle " + handle + " does not resolve to a DID"));
        DidDocument doc = dids.resolve(did);
        boolean claimed = doc.handle().filter(handle::equals).isPresent();
        if (!claimed) {
            LOG.debugf("handle %s resolves to %s, whose DID document does not claim it", handle, did);
        }
        return identity(doc, claimed ? handle : Handle.INVALID);
    }

    /** Resolves a DID; its document's handle is kept only if it resolves back to the DID. */
    public ResolvedIdentity resolve(Did did) {
        DidDocument doc = dids.resolve(did);
        return identity(doc, doc.handle().filter(h -> pointsBack(h, did)).orElse(Handle.INVALID));
    }

    /**
     * Resolves the DID again, bypassing the cache (subject to its minimum refresh interval), e.g. after a
     * commit signature failed to verify or an {@code #identity} event arrived.
     */
    public ResolvedIdentity refresh(Did did) {
        DidDocument doc = dids.refresh(did);
        return identity(doc, doc.handle().filter(h -> pointsBack(h, did)).orElse(Handle.INVALID));
    }

    private boolean pointsBack(Handle handle, Did did) {
        try {
            return handles.resolve(handle).filter(did::equals).isPresent();
        } catch (IdentityException e) {
            LOG.debugf("handle %s claimed by %s does not verify: %s", handle, did, e.getMessage());
            return false;
        }
    }

    private static ResolvedIdentity identity(DidDocument doc, Handle handle) {
        Did did = doc.did();
        return new ResolvedIdentity(did, handle,
                doc.pds().orElseThrow(() -> new IdentityException(
                        "DID document of " + did + " names no PDS (#atproto_pds service)")),
                doc.signingKey().orElseThrow(() -> new IdentityException(
                        "DID document of " + did + " has no #atproto signing key")));
    }

    /** The DID document layer, for callers that need the document without a handle check. */
    public DidResolver dids() {
        return dids;
    }

    /** The handle layer alone. */
    public HandleResolver handles() {
        return handles;
    }
}
