"""Schemathesis hooks for atpin's admin API fuzz run (AdminSchemathesisFuzzTest; SCHEMATHESIS_HOOKS names this file).

Every request goes out with an operator's token (admin and write scopes: every operation, changes included), and
most generated `{did}` path values are replaced by an account the test created for the run, so that the account
operations get past their 404 and reach their own logic (plan changes, overrides, If-Match, suspend, resume,
delete). Node names stay fuzzed, but always start with `fuzz-`, and the test runs no stateful phase (it would
take real node names from `GET /nodes`): a run must never drain a node the other tests in the JVM use.

Input, from the test: ATPIN_FUZZ_OPERATOR (a JSON file {"token": "...", "dids": ["did:plc:..."]}), deleted after
the run (it holds the token; the token is never on a command line).
"""
import json
import os
import zlib

import schemathesis

with open(os.environ["ATPIN_FUZZ_OPERATOR"], encoding="utf-8") as f:
    _RUN = json.load(f)
TOKEN = _RUN["token"]
DIDS = sorted(_RUN["dids"])


@schemathesis.hook
def map_path_parameters(context, path_parameters):
    """Two in three DIDs become a seeded account's; the choice depends only on the generated value, so a case that
    is shrunk or replayed names the same account. The rest stay fuzzed (unknown DIDs, garbage)."""
    if isinstance(path_parameters, dict) and "name" in path_parameters:
        # never one of the real nodes (node-a, node-b, ...): the other tests in the JVM place pins on them
        path_parameters = {**path_parameters, "name": "fuzz-" + str(path_parameters["name"])}
    if isinstance(path_parameters, dict) and "did" in path_parameters:
        k = zlib.crc32(repr(path_parameters["did"]).encode()) % (len(DIDS) * 3 // 2 + 1)
        if k < len(DIDS):
            path_parameters = {**path_parameters, "did": DIDS[k]}
    return path_parameters


@schemathesis.hook
def before_call(context, case, kwargs):
    case.headers = {**(case.headers or {}), "Authorization": "Bearer " + TOKEN}
