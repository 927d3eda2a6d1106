-- The replication a target that replicates itself (IPFS Cluster) was last asked to keep of the content: set when
-- the pin was made, when the healer asked for a new one, and by the reconciler from what the cluster reports
-- (replication_factor_min). Null on Kubo-direct, where our placements are the copies (ADR 0104).
alter table placement add column replication_asked integer;
-- The content's replication, kept on each of its placements by the trigger below, so that the rows whose target
-- keeps another replication than wanted are one partial index away (the healer asks them for the new one each
-- round) instead of a join of every placement with its content (1.5 s a round at a million pins).
alter table placement add column replication_wanted integer;

-- Whoever changes content.replication holds the content row; workers, the unpinner and the reconciler lock a
-- placement row first and the content after it. So this never waits for a placement row (skip locked): a row
-- locked meanwhile keeps its old value until the reconciler, which records both values of every cluster pin,
-- sets it (the backstop; the worker that held it usually wrote it itself when the pin finished).
create function placement_replication_wanted() returns trigger language plpgsql as $$
begin
    update placement p set replication_wanted = new.replication
    from (select cid, node from placement
          where cid = new.cid and replication_wanted is distinct from new.replication
          for update skip locked) free
    where p.cid = free.cid and p.node = free.node;
    return null;
end $$;
create trigger content_replication_changed after update of replication on content
    for each row when (old.replication is distinct from new.replication)
    execute function placement_replication_wanted();

create index placement_replication_differs on placement (cid) where replication_asked <> replication_wanted;

-- The healer's reads of a cluster pin's holders (Healer.readHolders): only rows not known to hold what was asked
-- (never read, just asked for another R, or another number of holders than asked), so that a round reads nothing
-- while the cluster's copies are as asked.
create index placement_holders_due on placement (node, copies_read_at nulls first)
    where state = 'pinned' and replication_asked is not null
      and (copy_peers is null or copies_read_at is null or cardinality(copy_peers) <> replication_asked);
