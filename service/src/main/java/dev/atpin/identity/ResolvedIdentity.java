package dev.atpin.identity;

import java.net.URI;

/**
 * An account's identity as atproto defines it, resolved and cross-checked.
 *
 * @param did        the DID: the account's permanent identifier
 * @param handle     the handle, only if it resolves to {@code did} and the DID document claims it; otherwise
 *                   {@link Handle#INVALID} ({@code handle.invalid}), which is what atproto shows then
 * @param pds        the account's PDS, from the DID document
 * @param signingKey the key its repo commits are signed with, from the DID document
 */
public record ResolvedIdentity(Did did, Handle handle, URI pds, AtprotoKey signingKey) {

    /** Whether {@link #handle()} is verified both ways. */
    public boolean handleVerified() {
        return !Handle.INVALID.equals(handle);
    }
}
