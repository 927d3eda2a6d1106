-- Tenants are atproto accounts, keyed by DID.
create table account (
    did          text primary key,
    handle       text,
    plan         text        not null default 'free',
    status       text        not null default 'active' check (status in ('active', 'suspended')),
    created_at   timestamptz not null default now()
);

-- API tokens are JWTs; this row is what makes one revocable (id = the JWT's jti).
-- The token itself is never stored.
create table api_token (
    id           uuid primary key,
    did          text        not null references account (did) on delete cascade,
    label        text        not null,
    scopes       text[]      not null,
    created_at   timestamptz not null default now(),
    expires_at   timestamptz,
    last_used_at timestamptz,
    revoked_at   timestamptz
);
create index api_token_by_did on api_token (did, created_at desc);
