"""Schemathesis hooks for atpin's two-tenant fuzz run (SchemathesisFuzzTest; SCHEMATHESIS_HOOKS names this file).

Every request goes out with the token of one of two tenants, taken in turn, and most generated `{requestid}`
path values are replaced by a live request of one of them: so the run sends each tenant's requestids with each
tenant's token. The check `another_tenants_request_is_404` fails the run when a request for another tenant's
requestid answers anything but 404 (never 2xx, 403 or 5xx), or when any response carries another tenant's
requestid. No other answer is allowed: the API looks up whose request it is before it reads anything else of
the request (a replace with an invalid body for another tenant's requestid is a 404, not the body's 400), so
the answer can never tell "exists, but not yours" from "does not exist". Each request naming a seeded requestid
is logged (one JSON line) for the test to count.

Input, from the test: ATPIN_FUZZ_TENANTS (a JSON file {"tenants": [{"name", "token", "requestids"}]}) and
ATPIN_FUZZ_LOG (the file the lines are appended to).
"""
import itertools
import json
import os
import threading
import zlib
from urllib.parse import urlsplit

import schemathesis

with open(os.environ["ATPIN_FUZZ_TENANTS"], encoding="utf-8") as f:
    TENANTS = json.load(f)["tenants"]
OWNER = {rid: t["name"] for t in TENANTS for rid in t["requestids"]}
SEEDED = sorted(OWNER)
ACTOR = {"Bearer " + t["token"]: t["name"] for t in TENANTS}
LOG = os.environ["ATPIN_FUZZ_LOG"]

_turns = itertools.count()
_log_lock = threading.Lock()


@schemathesis.hook
def map_path_parameters(context, path_parameters):
    """Four in five requestids become a seeded one; the choice depends only on the generated value, so a case
    that is shrunk or replayed names the same request. The rest stay fuzzed (unknown ids, garbage)."""
    # negative cases may drop or mangle the parameters object itself: those stay as generated
    if isinstance(path_parameters, dict) and "requestid" in path_parameters:
        k = zlib.crc32(repr(path_parameters["requestid"]).encode()) % (len(SEEDED) * 5 // 4 + 1)
        if k < len(SEEDED):
            path_parameters = {**path_parameters, "requestid": SEEDED[k]}
    return path_parameters


@schemathesis.hook
def before_call(context, case, kwargs):
    """The tenants act in turn, independently of the requestid chosen: every (token, owner) pair comes up."""
    tenant = TENANTS[next(_turns) % len(TENANTS)]
    case.headers = {**(case.headers or {}), "Authorization": "Bearer " + tenant["token"]}


@schemathesis.check
def another_tenants_request_is_404(ctx, response, case):
    actor = ACTOR.get(response.request.headers.get("Authorization"))
    if actor is None:
        return None
    path = urlsplit(response.request.url).path
    named = next((rid for rid in SEEDED if path.endswith("/pins/" + rid)), None)
    if named is not None:
        owner = OWNER[named]
        status = response.status_code
        line = {"requestid": named, "actor": actor, "owner": owner, "method": response.request.method,
                "status": status}
        with _log_lock, open(LOG, "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")
        if owner != actor and status != 404:
            raise AssertionError(
                f"{response.request.method} of {owner}'s request with {actor}'s token answered {status}, not 404: "
                f"{response.text[:300]}")
    # the requestid the request itself named may be echoed back (in a 404's details): that is no leak
    leaked = [rid for rid in SEEDED if OWNER[rid] != actor and rid != named and rid in response.text]
    if leaked:
        raise AssertionError(f"a response to {actor} carries another tenant's requestid {leaked[0]}")
    return None

