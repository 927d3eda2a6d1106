-- The workers' claim reads the head of each usable node's queue (PlacementQueue.claim): one ordered index per
-- node instead of one over all queued rows, so that a claim costs the same with 10 or 10,000 copies queued (a
-- node loss queues a copy of every content the node held at once). placement_due served only the old claim.
create index placement_queued_by_node on placement (node, attempts, next_attempt_at) where state = 'queued';
drop index placement_due;
