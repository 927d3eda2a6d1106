/**
 * Logging in with an atproto account: our OAuth client in the atproto profile (atproto.com/specs/oauth).
 *
 * <p>{@link dev.atpin.oauth.OAuthFlow} runs a login (resolution, PAR, callback checks, code exchange);
 * {@link dev.atpin.oauth.OAuthSessions} keeps the sessions in Postgres and refreshes them one replica at a time;
 * {@link dev.atpin.oauth.XrpcClient} calls a user's PDS with their session (the repo watcher writes records with
 * it). Who the client is lives in {@code client}, DPoP in {@code dpop}; resolution and SSRF-safe fetching are the
 * identity package's.
 */
package dev.atpin.oauth;
