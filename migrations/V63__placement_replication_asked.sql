-- The replication a target that replicates itself (IPFS Cluster) was last asked to keep of the content: set when
-- the pin was made, when the healer asked for a new one, and by the reconciler from what the cluster reports
-- (replication_factor_min). Where it differs from content.replication the healer asks again (ADR 0104). Null on
-- Kubo-direct, where our placements are the copies.
alter table placement add column replication_asked integer;
create index placement_replication_asked on placement (cid) include (replication_asked)
    where replication_asked is not null;
