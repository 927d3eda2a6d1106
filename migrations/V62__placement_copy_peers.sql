-- The copies a target that replicates itself (IPFS Cluster) holds of a content (issue 10): one placement row
-- names the whole cluster, so the row alone cannot say how many peers pinned it. copy_peers lists the cluster
-- peers (their cluster peer IDs) that reported the content pinned at the last status read; info.replicas_pinned
-- counts them and the pin's delegates are their IPFS addresses. Null on Kubo-direct, where the row is one copy.
alter table placement add column copy_peers text[];
-- When copy_peers was last read from the target; null: due for a read (just asked for another replication).
alter table placement add column copies_read_at timestamptz;
