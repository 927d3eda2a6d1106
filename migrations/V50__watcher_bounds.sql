-- Holes closed in the repo watcher (issue 14): poison events, bounded buffers, bounded enrollment.

-- Firehose events of a repo that could not be applied (malformed, or failing in a way a replay cannot fix).
-- They are set aside here with the reason, the repo is resynced, and the stream goes on for everyone.
-- At most a few per repo are kept (the newest).
create table quarantined_event (
    did            text        not null references watched_repo (did) on delete cascade,
    seq            bigint      not null,
    upstream       text        not null,
    reason         text        not null,
    frame          bytea       not null,
    quarantined_at timestamptz not null default now(),
    primary key (did, seq)
);

-- The event buffer of a resyncing repo is bounded: these count what it holds, kept in the same transaction as
-- each insert (under the repo's row lock). Past the bound nothing more is buffered and the flag says the
-- buffer is incomplete, so the resync is followed by another one instead of a replay with a hole.
alter table watched_repo add column buffered_events integer not null default 0;
alter table watched_repo add column buffered_bytes bigint not null default 0;
alter table watched_repo add column buffer_overflowed boolean not null default false;

-- Every (re-)enrollment starts a full download of the repo: an account may do it only so often.
alter table watched_repo add column enrollments_in_window integer not null default 0;
alter table watched_repo add column enrollment_window_start timestamptz;
