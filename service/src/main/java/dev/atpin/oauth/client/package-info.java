/**
 * Who we are to authorization servers: the loopback development client or the confidential web client, its
 * metadata document, its keys (JWKS, rotation) and its {@code private_key_jwt} assertions.
 */
package dev.atpin.oauth.client;
