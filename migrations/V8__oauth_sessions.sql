-- Logging in with an atproto account (OAuth). Both tables hold secrets (DPoP private keys, PKCE
-- verifiers, OAuth tokens): they are only ever read by the service, never logged or exported.

-- A login in progress: written by POST /login, consumed (deleted) by the one callback that uses
-- its state. browser_hash binds it to the browser that started it (sha-256 of a cookie), so a
-- callback URL carried to another browser cannot log that browser in.
create table oauth_login (
    state               text        primary key,
    browser_hash        bytea       not null,
    did                 text        not null,
    handle              text,
    pds_url             text        not null,
    issuer              text        not null,
    token_endpoint      text        not null,
    revocation_endpoint text,
    client_id           text        not null,
    redirect_uri        text        not null,
    client_key_id       text,
    dpop_jwk            text        not null,
    pkce_verifier       text        not null,
    created_at          timestamptz not null default now(),
    expires_at          timestamptz not null
);
create index oauth_login_by_expiry on oauth_login (expires_at);

-- A dashboard session and the OAuth session behind it. The cookie is a random secret; only its
-- sha-256 is stored, so this table alone does not let anyone act as a user's browser.
-- Refreshing takes this row FOR UPDATE: refresh tokens are single-use, and two replicas must
-- never spend the same one.
create table oauth_session (
    id                  uuid        primary key,
    cookie_hash         bytea       not null unique,
    csrf_token          text        not null,
    did                 text        not null references account (did) on delete cascade,
    handle              text,
    pds_url             text        not null,
    issuer              text        not null,
    token_endpoint      text        not null,
    revocation_endpoint text,
    client_id           text        not null,
    client_key_id       text,
    dpop_jwk            text        not null,
    access_token        text        not null,
    refresh_token       text,
    scope               text        not null,
    access_expires_at   timestamptz,
    created_at          timestamptz not null default now(),
    refreshed_at        timestamptz,
    expires_at          timestamptz not null
);
create index oauth_session_by_did on oauth_session (did, created_at desc);
create index oauth_session_by_expiry on oauth_session (expires_at);
