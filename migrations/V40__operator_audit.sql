-- The operator console and admin API (issue 13).

-- Every change an operator makes, in the same transaction as the change: who, when, what.
-- No foreign key to account: the trail of a deleted account stays.
create table operator_audit (
    id               bigserial   primary key,
    at               timestamptz not null default now(),
    -- who: the identity provider's user name (or client), or the DID of an API-token operator
    operator         text        not null,
    -- the identity provider's subject, or the DID: stable when a name changes
    operator_subject text        not null,
    -- how they came in: the console (OIDC login), an OIDC bearer token, an atpin API token
    via              text        not null check (via in ('console', 'oidc-token', 'api-token')),
    -- what, e.g. account.change, account.suspend, account.resume, account.delete, queue.retry
    action           text        not null,
    -- what it was done to: an account's DID, or a placement (cid@node)
    target           text,
    reason           text,
    -- the change itself, e.g. {"plan": {"from": "free", "to": "pro"}}
    details          jsonb       not null default '{}'
);
create index operator_audit_by_target on operator_audit (target, id desc);
create index operator_audit_by_time on operator_audit (id desc);

-- Admin changes are versioned: each bumps the version, and a change made against an older
-- version (If-Match) is refused instead of silently undoing what another operator just did.
alter table account add column version bigint not null default 1;
