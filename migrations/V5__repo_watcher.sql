-- The repo watcher: pins follow the pin records in users' own atproto repos.

-- One row per enrolled repo. Work on it (backfill, resync) is claimed by any replica with
-- FOR UPDATE SKIP LOCKED on (state, retry_after).
create table watched_repo (
    did           text        primary key references account (did) on delete cascade,
    state         text        not null default 'pending'
                  check (state in ('pending', 'resyncing', 'active', 'desynchronized', 'frozen', 'deleted', 'unenrolled', 'error')),
    pds_url       text,
    rev           text,
    data_cid      text,
    attempts      integer     not null default 0,
    retry_after   timestamptz not null default now(),
    lease_expires_at timestamptz,
    last_error    text,
    last_event_at timestamptz,
    last_event_time timestamptz,
    enrolled_at   timestamptz not null default now(),
    deleted_at    timestamptz,
    updated_at    timestamptz not null default now()
);
create index watched_repo_due on watched_repo (state, retry_after);

-- Where each upstream's firehose was read up to; saved on an interval and at shutdown.
create table firehose_cursor (
    upstream   text        primary key,
    seq        bigint      not null,
    updated_at timestamptz not null default now()
);

-- Events of a repo that arrive while it resyncs; replayed (those newer than the resync) afterwards.
create table repo_event_buffer (
    did      text   not null references watched_repo (did) on delete cascade,
    seq      bigint not null,
    frame    bytea  not null,
    primary key (did, seq)
);

-- Records the watcher could not turn into pins (invalid, over quota), shown on the user's page.
create table record_problem (
    did      text        not null references watched_repo (did) on delete cascade,
    path     text        not null,
    problem  text        not null,
    seen_at  timestamptz not null default now(),
    primary key (did, path)
);

-- A record owns at most one request: replays and resyncs are idempotent.
create unique index pin_request_by_source on pin_request (did, source) where source <> 'api';

-- A record-backed request may carry a backup: the same bytes as an atproto blob in the owner's repo
-- ({"blob": cid, "profile": import profile}), used when the network has lost the content.
alter table pin_request add column backup jsonb;
-- Set when a content was rebuilt from such a blob: shown to the requests as status details.
alter table content add column restored_from text;
