-- Service-auth JWT ids seen so far (per issuer), kept until the token expires: a replay is refused
-- on every replica.
create table service_auth_jti (
    iss        text        not null,
    jti        text        not null,
    expires_at timestamptz not null,
    primary key (iss, jti)
);
create index service_auth_jti_expiry on service_auth_jti (expires_at);
