-- Partial name matching (match=partial|ipartial) without scanning a tenant's pins: a trigram
-- index over (tenant, name). Both extensions are "trusted": a database owner may create them.
create extension if not exists pg_trgm;
create extension if not exists btree_gin;
create index pin_request_name_trgm on pin_request using gin (did, name gin_trgm_ops) where name is not null;
