-- Node states (issue 10). `state` is what placement and self-healing act on:
--   active   takes new placements (when it also answered the last poll: `healthy`)
--   draining an operator asked to move its contents off (`draining` is that wish; it survives restarts)
--   down     has not answered for longer than atpin.dispatch.down-after
-- Space comes from the node's own repo/stat; free_bytes weighs it in placement.
alter table node
    add column state            text        not null default 'active'
                                check (state in ('active', 'draining', 'down')),
    add column draining         boolean     not null default false,
    add column repo_size_bytes  bigint,
    add column storage_max_bytes bigint,
    add column free_bytes       bigint,
    add column registered_at    timestamptz not null default now(),
    add column state_changed_at timestamptz not null default now();
