-- Kubo nodes of the cluster, refreshed by the node monitor from each node's /api/v0/id.
create table node (
    name         text primary key,
    rpc_url      text        not null,
    peer_id      text,
    multiaddrs   text[]      not null default '{}',
    agent        text,
    healthy      boolean     not null default false,
    last_seen    timestamptz,
    last_error   text
);

-- One row per CID (normalized: CIDv1 base32) that anyone wants. Shared by every tenant.
create table content (
    cid          text primary key,
    refcount     integer     not null default 0 check (refcount >= 0),
    status       text        not null default 'queued'
                 check (status in ('queued', 'pinning', 'pinned', 'failed')),
    status_details text,
    size_bytes   bigint,
    replication  integer     not null default 1,
    -- set when refcount drops to 0: the content is unpinned once the grace period has passed
    released_at  timestamptz,
    created_at   timestamptz not null default now()
);
create index content_released on content (released_at) where refcount = 0;

-- Where a content is (to be) pinned. This is the durable queue: workers claim rows with
-- FOR UPDATE SKIP LOCKED and hold a lease while Kubo works.
create table placement (
    cid            text        not null references content (cid) on delete cascade,
    node           text        not null references node (name),
    state          text        not null default 'queued'
                   check (state in ('queued', 'pinning', 'pinned', 'failed')),
    attempts       integer     not null default 0,
    next_attempt_at timestamptz not null default now(),
    lease_owner    text,
    lease_expires_at timestamptz,
    progress       bigint,
    last_error     text,
    updated_at     timestamptz not null default now(),
    primary key (cid, node)
);
create index placement_due on placement (next_attempt_at) where state = 'queued';
create index placement_leased on placement (lease_expires_at) where state = 'pinning';
create index placement_by_node on placement (node, state);

-- A tenant's pin request (the Pinning Service API's PinStatus). `status` mirrors the content's
-- status so that listing by status is one index range scan.
create table pin_request (
    id           uuid primary key,
    did          text        not null references account (did) on delete cascade,
    cid          text        not null references content (cid),
    cid_input    text        not null,
    name         text,
    meta         jsonb       not null default '{}',
    origins      text[]      not null default '{}',
    status       text        not null check (status in ('queued', 'pinning', 'pinned', 'failed')),
    -- millisecond precision, unique per tenant: it is the paging cursor (before/after)
    created      timestamptz(3) not null,
    info         jsonb       not null default '{}',
    source       text        not null default 'api',
    constraint pin_request_created_unique unique (did, created)
);
-- Every list query is "this tenant, maybe this status, ordered by created desc".
create index pin_request_by_status on pin_request (did, status, created desc);
create index pin_request_by_cid on pin_request (did, cid, created desc);
create index pin_request_by_name on pin_request (did, name, created desc) where name is not null;
create index pin_request_by_lower_name on pin_request (did, lower(name), created desc) where name is not null;
create index pin_request_meta on pin_request using gin (meta jsonb_path_ops);
-- "who still wants this content" and status propagation
create index pin_request_content on pin_request (cid);

-- Per-tenant live counters, kept exact by triggers in the same transaction as each change:
-- counts by status are read from here (Kubo's `service ls --stat`), never by scanning.
create table pin_usage (
    did     text   not null references account (did) on delete cascade,
    status  text   not null,
    pins    bigint not null default 0,
    primary key (did, status)
);

create function pin_usage_track() returns trigger language plpgsql as $$
begin
    if tg_op in ('UPDATE', 'DELETE') then
        update pin_usage set pins = pins - 1 where did = old.did and status = old.status;
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        insert into pin_usage (did, status, pins) values (new.did, new.status, 1)
        on conflict (did, status) do update set pins = pin_usage.pins + 1;
    end if;
    return null;
end $$;

create trigger pin_usage_on_insert_delete after insert or delete on pin_request
    for each row execute function pin_usage_track();
create trigger pin_usage_on_status after update of status on pin_request
    for each row when (old.status is distinct from new.status) execute function pin_usage_track();

-- The newest `created` handed out per tenant, so that the next one is strictly greater.
alter table account add column last_created timestamptz(3);

-- Replace keeps the old content wanted until the new request has settled (pinned or failed):
-- "the new pin is in place before the old one is released".
create table deferred_release (
    cid          text not null references content (cid),
    waiting_for  uuid not null,
    created_at   timestamptz not null default now()
);
create index deferred_release_waiting on deferred_release (waiting_for);
