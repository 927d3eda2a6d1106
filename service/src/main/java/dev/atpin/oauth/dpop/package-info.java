/** DPoP (RFC 9449): per-session keys, proofs, and the nonce each server origin asks for. */
package dev.atpin.oauth.dpop;
