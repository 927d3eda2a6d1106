-- Kubo nodes registered by operators through the admin API (issue 10), next to the configured ones
-- (atpin.kubo.nodes.*). Every replica reads this table with its health poll and drives these nodes like
-- configured ones; `node` keeps their state as for any node. Deleting a registration needs an empty node.
create table registered_node (
    name           text        primary key,
    rpc_url        text        not null,
    -- multiaddrs handed to clients as delegates; null: the node's own addresses
    announce       text[],
    -- the Authorization header for Kubo's API.Authorizations, sealed by SecretsAtRest
    -- (context 'registered_node.authorization:<name>'); null: the RPC port is open
    authorization_sealed text,
    registered_by  text        not null,
    registered_at  timestamptz not null default now()
);
