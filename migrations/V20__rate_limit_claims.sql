-- Rate limits without a write per request (ADR 0110): each replica claims a share of a token's
-- window budget at a time and counts requests locally until it is spent. rate_window.hits now
-- counts requests claimed (granted to some replica), never more than the limit.
--
-- A claim asks for a sixteenth of what is left (at least 1, at most max_chunk), so the budget is
-- handed out in shrinking pieces: near the limit every claim is a single request and no replica
-- can sit on much of what others could use. Returns what was granted (0 when the window is
-- spent) and the window's total after the claim.
create function rate_claim(tok uuid, ws timestamptz, lim integer, max_chunk integer,
                           out granted integer, out claimed integer)
language plpgsql as $$
declare
    before integer;
begin
    insert into rate_window (token_id, window_start, hits) values (tok, ws, 0) on conflict do nothing;
    select hits into before from rate_window where token_id = tok and window_start = ws for update;
    granted := greatest(0, least(lim - before, greatest(1, least(max_chunk, (lim - before) / 16))));
    claimed := before + granted;
    if granted > 0 then
        update rate_window set hits = claimed where token_id = tok and window_start = ws;
    end if;
end $$;
