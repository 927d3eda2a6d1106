-- Placement by weighted rendezvous hashing and self-healing (issue 10).

-- The rendezvous score of `node` for `cid`: every node draws a pseudo-random u in (0, 1) from the pair, and
-- the highest weight / -ln(u) wins (weighted rendezvous hashing). A content keeps its nodes when unrelated
-- nodes come or go, and nodes with more free space take proportionally more contents. hashtextextended is
-- stable for a given input, so every replica ranks the same way.
create function placement_score(cid text, node text, weight double precision) returns double precision
language sql immutable parallel safe as $$
    select greatest(coalesce(weight, 1), 1)
           / -ln(((hashtextextended(cid || '@' || node, 0) & 9007199254740991)::double precision + 1)
                 / 9007199254740993::double precision)
$$;

-- A copy the healer decided to release (surplus, or on a draining node): the unpinner removes our pin from
-- the node outside any transaction, under a lease, then deletes the row.
alter table placement drop constraint placement_state_check;
alter table placement add constraint placement_state_check
    check (state in ('queued', 'pinning', 'pinned', 'failed', 'unpinning'));
create index placement_unpinning on placement (lease_expires_at) where state = 'unpinning';

-- A content whose wanted replication may have changed (a tenant left it, or a plan or override changed):
-- the healer recomputes it as the largest replication of the tenants that still want it.
alter table content add column replication_stale boolean not null default false;
create index content_replication_stale on content (cid) where replication_stale;

create function content_replication_stale_on_release() returns trigger language plpgsql as $$
begin
    update content set replication_stale = true where cid = old.cid and not replication_stale;
    return null;
end $$;
create trigger pin_request_released after delete on pin_request
    for each row execute function content_replication_stale_on_release();

create function content_replication_stale_on_plan() returns trigger language plpgsql as $$
begin
    update content set replication_stale = true
    where not replication_stale and cid in (select cid from pin_request where did = new.did);
    return null;
end $$;
create trigger account_replication_changed after update of plan, replication on account
    for each row when (old.plan is distinct from new.plan or old.replication is distinct from new.replication)
    execute function content_replication_stale_on_plan();
