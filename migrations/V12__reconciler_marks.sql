-- The reconciler streams a node's pins and marks each placement it sees (in chunks, no whole pinset in
-- memory): a placement recorded as pinned before the stream began and not marked by it was lost by the node.
alter table placement add column verified_at timestamptz;
