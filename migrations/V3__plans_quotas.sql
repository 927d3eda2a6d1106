-- Per-account overrides of the plan's limits (null = the plan's value).
alter table account
    add column max_pins        bigint,
    add column max_bytes       bigint,
    add column max_pin_size    bigint,
    add column replication     integer,
    add column rate_limit      integer,
    add column status_reason   text;

-- Bytes are charged per request once the DAG's size is known; a request the tenant cannot afford
-- fails on its own (`failure`), whatever the shared content does for other tenants.
alter table pin_request
    add column charged_bytes bigint,
    add column failure       text;
create index pin_request_uncharged on pin_request (cid) where charged_bytes is null and failure is null;

-- Usage counters, kept exact by triggers in the same transaction as each change, without hot
-- rows shared by unrelated transactions (those deadlock):
--  * account_usage: live requests and charged bytes of a tenant. It changes only on insert,
--    delete and charge, which all hold the account's row lock already: the quota checks read it.
--  * pin_status_delta: append-only deltas per (tenant, status), written by every status change
--    (workers change the status of many tenants' requests at once, in no particular order);
--    folded into pin_status_count by one compactor. A count by status = base + pending deltas.
drop trigger pin_usage_on_insert_delete on pin_request;
drop trigger pin_usage_on_status on pin_request;
drop function pin_usage_track();
drop table pin_usage;

create table account_usage (
    did    text   primary key references account (did) on delete cascade,
    pins   bigint not null default 0,
    bytes  bigint not null default 0
);

create table pin_status_count (
    did    text   not null,
    status text   not null,
    pins   bigint not null default 0,
    bytes  bigint not null default 0,
    primary key (did, status)
);

-- No key and no foreign key on purpose: an insert here must never wait for a lock.
create table pin_status_delta (
    did    text    not null,
    status text    not null,
    pins   integer not null,
    bytes  bigint  not null
);
create index pin_status_delta_by_did on pin_status_delta (did, status);

create function pin_usage_track() returns trigger language plpgsql as $$
declare
    old_bytes bigint := case when tg_op = 'INSERT' then 0 else coalesce(old.charged_bytes, 0) end;
    new_bytes bigint := case when tg_op = 'DELETE' then 0 else coalesce(new.charged_bytes, 0) end;
    pins_change integer := case tg_op when 'INSERT' then 1 when 'DELETE' then -1 else 0 end;
begin
    if pins_change <> 0 or old_bytes <> new_bytes then
        insert into account_usage (did, pins, bytes)
        values (coalesce(new.did, old.did), pins_change, new_bytes - old_bytes)
        on conflict (did) do update
            set pins = account_usage.pins + excluded.pins, bytes = account_usage.bytes + excluded.bytes;
    end if;
    if tg_op in ('UPDATE', 'DELETE') then
        insert into pin_status_delta (did, status, pins, bytes) values (old.did, old.status, -1, -old_bytes);
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        insert into pin_status_delta (did, status, pins, bytes) values (new.did, new.status, 1, new_bytes);
    end if;
    return null;
end $$;

create trigger pin_usage_on_insert_delete after insert or delete on pin_request
    for each row execute function pin_usage_track();
create trigger pin_usage_on_change after update of status, charged_bytes on pin_request
    for each row when (old.status is distinct from new.status or old.charged_bytes is distinct from new.charged_bytes)
    execute function pin_usage_track();

-- Exact counts per (tenant, status): the folded base plus the deltas not folded yet.
create view pin_status_usage as
    select did, status, sum(pins) as pins, sum(bytes) as bytes
    from (select did, status, pins, bytes from pin_status_count
          union all
          select did, status, pins, bytes from pin_status_delta) parts
    group by did, status;

-- Fixed-window request counters per API token, shared by every replica.
create table rate_window (
    token_id     uuid        not null,
    window_start timestamptz not null,
    hits         integer     not null,
    primary key (token_id, window_start)
);

-- Workers take first attempts before retries (see PlacementQueue.claim).
drop index placement_due;
create index placement_due on placement (attempts, next_attempt_at) where state = 'queued';
