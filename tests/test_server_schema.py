"""schemathesis against the app's OpenAPI schema (issue 5): no generated request gets a 5xx.

Runs in process through schemathesis' ASGI transport (the same app object uvicorn serves), with a bounded number
of examples per operation. A 503 with X-PIA-Graph-Limit is a limit answer, not a server error, but none is
expected: the generated queries are small and the limits generous."""

from __future__ import annotations

from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402

from pia_graph.server import build_samples, create_app  # noqa: E402
from pia_graph.store import load_dataset  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
EXAMPLES = 25


def _app():
    import tempfile
    out = Path(tempfile.mkdtemp(prefix="pia-graph-schema-")) / "samples.trig"
    return create_app(load_dataset(build_samples(SAMPLES, out)), samples_dir=SAMPLES, query_timeout=5.0,
                      max_results=5000)


@schemathesis.serializer("application/sparql-query")
def _sparql_body(ctx, value):
    """The query text as sent by SPARQL clients (schemathesis generates a string; anything else as its repr)."""
    if isinstance(value, bytes):
        return value
    return (value if isinstance(value, str) else repr(value)).encode("utf-8", "surrogatepass")


@schemathesis.serializer("application/pdf")
def _pdf_body(ctx, value):
    return value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogatepass")


APP = _app()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case):
    case.call_and_validate(checks=[not_a_server_error])


TOKEN = "schema-test-token"
INGEST_APP = create_app(APP.state.site.ds, samples_dir=SAMPLES, allow_ingest=True, ingest_token=TOKEN,
                        max_ingest_bytes=256 * 1024)
ingest_schema = schemathesis.openapi.from_asgi("/openapi.json", INGEST_APP).include(path="/api/ingest")


@ingest_schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_ingest_no_server_errors(case):
    """Arbitrary documents and file names, with the token: 200, 400 or 422, never a 5xx (and 401 without it)."""
    case.call_and_validate(checks=[not_a_server_error], headers={"Authorization": f"Bearer {TOKEN}"})
    case.call_and_validate(checks=[not_a_server_error])
