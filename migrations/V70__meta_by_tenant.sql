-- A meta filter (GET /pins?meta=...) is always within one tenant: one GIN over (tenant, meta), so the
-- bitmap holds only that tenant's matching requests. pin_request_meta was global: the same meta value in
-- other tenants filled its bitmap, and the planner ANDed it with the tenant's whole (did, created) range
-- (issue 11; ADR 0114). btree_gin (V7) gives GIN its text opclass; nothing else filters on meta alone.
create index pin_request_meta_by_did on pin_request using gin (did, meta jsonb_path_ops);
drop index pin_request_meta;
