-- What the user dashboard shows beyond the current state: how a request got there, and usage over time.

-- Every status change of a pin request, with the request's own reason when it failed on a limit.
-- Written by a trigger on status changes only (never on insert: the first row's old_status is the
-- status the request started with), so the Pinning Service API's add path does no extra write.
-- Rows go with their request.
create table pin_status_change (
    request_id  uuid        not null references pin_request (id) on delete cascade,
    old_status  text        not null,
    new_status  text        not null,
    details     text,
    changed_at  timestamptz not null default clock_timestamp()
);
create index pin_status_change_by_request on pin_status_change (request_id, changed_at);

create function pin_status_change_track() returns trigger language plpgsql as $$
begin
    insert into pin_status_change (request_id, old_status, new_status, details)
    values (new.id, old.status, new.status, new.failure);
    return null;
end $$;

create trigger pin_status_change_on_status after update of status on pin_request
    for each row when (old.status is distinct from new.status) execute function pin_status_change_track();

-- One row per tenant and day (UTC): the live requests and charged bytes last seen that day.
-- Taken by a job on an interval (one replica at a time); the dashboard draws the chart from it.
create table usage_daily (
    did      text        not null references account (did) on delete cascade,
    day      date        not null,
    pins     bigint      not null,
    bytes    bigint      not null,
    taken_at timestamptz not null default now(),
    primary key (did, day)
);
create index usage_daily_by_day on usage_daily (day);
