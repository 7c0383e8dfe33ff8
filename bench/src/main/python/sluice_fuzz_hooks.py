"""Schemathesis hooks for `./bench/run fuzz`: every call is reported to the bench's observer.

The bench (FuzzBench.java) listens on SLUICE_FUZZ_OBSERVER (host:port). Before each call it is told
what is about to be sent, so it can snapshot the ledger and Temporal; after it, the status, so it
can count the request and compare the state when the API rejected it. The observer answers each
report before the call goes on, which keeps the snapshots bracketing exactly one request (the bench
runs schemathesis with one worker while it compares state).
"""

import http.client
import json
import os
import threading

import schemathesis

_ADDRESS = os.environ["SLUICE_FUZZ_OBSERVER"]
# One kept-alive connection per schemathesis worker thread: http.client connections are not
# thread-safe.
_local = threading.local()


def _report(kind, body):
    payload = json.dumps(body).encode()
    for attempt in (1, 2):
        try:
            if getattr(_local, "connection", None) is None:
                host, port = _ADDRESS.rsplit(":", 1)
                _local.connection = http.client.HTTPConnection(host, int(port), timeout=60)
            _local.connection.request("POST", "/" + kind, payload, {"Content-Type": "application/json"})
            _local.connection.getresponse().read()
            return
        except (OSError, http.client.HTTPException):
            # A kept-alive connection the observer closed: open a new one once.
            _local.connection = None
            if attempt == 2:
                raise


def _describe(case):
    return {"method": case.method.upper(), "path": case.formatted_path, "operation": case.operation.label}


@schemathesis.hook
def before_call(context, case, kwargs):
    _report("before", _describe(case))


@schemathesis.hook
def after_call(context, case, response):
    body = _describe(case)
    body["status"] = response.status_code
    if response.status_code >= 500:
        body["response"] = response.text[:500]
    _report("after", body)
