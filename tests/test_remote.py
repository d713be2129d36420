"""Remote stores against real engines started on loopback: Oxigraph's server (with and without a union default graph)
and Debian's Virtuoso 7. A user gives the SPARQL endpoint URL and nothing else: `load`, `query` and `load --drop`
work from the command line, every canned query gives the rows the graph file gives, a store filled by the engine's
own loader (no manifest) answers too, reading never writes, and every failure is one line."""

from __future__ import annotations

import csv
import io
import shutil
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from engines import Unavailable, start_oxigraph, start_virtuoso, virtuoso_bulk_load
from pia_graph.cli import app
from pia_graph.query import canned_queries
from pia_graph.services import ingest, open_reader
from pia_graph.stores import open_store
from pia_graph.stores.remote import RemoteStore

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
CANNED = [q.name for q in canned_queries()]
ENGINES = ["oxigraph", "oxigraph-no-union", "virtuoso"]
GSP_PATH = {"oxigraph": "/store", "oxigraph-no-union": "/store", "virtuoso": "/sparql-graph-crud"}
runner = CliRunner()


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    """Each engine once for the module (Virtuoso takes seconds to start); tests clear what they load."""
    started, missing = {}, {}
    for name in ENGINES:
        directory = tmp_path_factory.mktemp(name)
        try:
            started[name] = (start_virtuoso(directory) if name == "virtuoso"
                             else start_oxigraph(directory, union=name == "oxigraph"))
        except Unavailable as e:
            missing[name] = str(e)
    yield started, missing
    for engine in started.values():
        engine.stop()


@pytest.fixture(params=ENGINES)
def engine(request, engines):
    started, missing = engines
    if request.param in missing:
        pytest.skip(f"SKIPPED LOUDLY: {request.param} cannot be had here: {missing[request.param]}")
    e = started[request.param]
    e.clear()
    yield e
    e.clear()


def cli(*args) -> "CliRunner.Result":
    return runner.invoke(app, [str(a) for a in args])


def rows_of(result) -> list[tuple]:
    """A CSV answer as sorted rows (the header kept first)."""
    assert result.exit_code == 0, result.output
    table = list(csv.reader(io.StringIO(result.stdout)))
    return [tuple(table[0])] + sorted(map(tuple, table[1:]))


@pytest.fixture(scope="module")
def file_rows(sample_graph):
    return {name: rows_of(cli("query", name, "--data", sample_graph, "-f", "csv")) for name in CANNED}


@pytest.fixture(scope="module")
def embedded_rows(tmp_path_factory):
    db = tmp_path_factory.mktemp("embedded") / "db"
    assert cli("load", SAMPLES, "--store", db).exit_code == 0
    return {name: rows_of(cli("query", name, "--store", db, "-f", "csv", "--fresh")) for name in CANNED}


def test_the_same_rows_on_file_embedded_store_and_every_engine_then_drop(engine, file_rows, embedded_rows):
    """The issue's path on each engine: load the samples with the endpoint URL, every canned query, load again
    (nothing changes), drop one document by name without a path."""
    assert embedded_rows == file_rows
    first = cli("load", SAMPLES, "--store", engine.url)
    assert first.exit_code == 0, first.output
    assert "added 5" in first.stdout
    for name in CANNED:
        got = rows_of(cli("query", name, "--store", engine.url, "-f", "csv"))
        assert got == file_rows[name], f"{engine.name}: {name}"
        assert len(got) > 1, name
    again = cli("load", SAMPLES, "--store", engine.url)
    assert again.exit_code == 0 and "unchanged 5" in again.stdout

    dropped = "001_c929cc07fcd15d36.txt"
    r = cli("load", "--store", engine.url, "--drop", dropped)
    assert r.exit_code == 0 and f"dropped {dropped}" in r.stdout, r.output
    after = rows_of(cli("query", "files-to-kiko", "--store", engine.url, "-f", "csv"))
    source = after[0].index("source")
    before = file_rows["files-to-kiko"]
    assert after == [before[0]] + [row for row in before[1:] if not row[source].startswith(dropped)]
    assert len(after) < len(before)


def test_the_endpoint_is_found_and_opening_never_writes(engine):
    reader = open_reader(engine.url)
    assert reader.query_url == engine.url
    assert reader.triple_count() == 0
    # the flagship question on an empty store says so and fails, and leaves the store as empty as it was
    r = cli("query", "files-to-kiko", "--store", engine.url)
    assert r.exit_code == 1 and "holds no pia-graph documents" in r.stderr and "row(s)" not in r.stdout
    assert reader.triple_count() == 0
    with pytest.raises(OSError, match="opened for reading"):
        reader.drop("x.txt")
    reader.close()

    writer = open_store(engine.url)
    assert writer.gsp_url == engine.url.rsplit("/", 1)[0] + GSP_PATH[engine.name]
    assert writer.update_url.endswith("/sparql" if engine.name == "virtuoso" else "/update")
    assert writer.triple_count() == 0, "finding the write endpoints must not write"
    writer.close()
    # the dataset's URL finds the same endpoints (Oxigraph's server root; Virtuoso's server root)
    base = open_store(engine.url.rsplit("/", 1)[0])
    assert base.gsp_url == writer.gsp_url
    base.close()


def test_a_store_filled_by_the_engines_own_loader_answers_every_query(engine, sample_graph, file_rows, tmp_path):
    """No manifest: the documents are found from the data itself, whatever the default graph is."""
    if engine.name == "virtuoso":
        folder = engine.directory / "load"
        folder.mkdir(exist_ok=True)
        shutil.copy(sample_graph, folder / "samples.trig")
        virtuoso_bulk_load(engine, folder, "*.trig")
    else:
        r = httpx.post(engine.url.rsplit("/", 1)[0] + "/store", content=sample_graph.read_bytes(),
                       headers={"Content-Type": "application/trig"}, timeout=60)
        assert r.status_code < 300, r.text
    for name in ("files-to-kiko", "systems"):
        assert rows_of(cli("query", name, "--store", engine.url, "-f", "csv")) == file_rows[name], name


def test_superseded_versions_never_answer(engine, tmp_path):
    store = open_store(engine.url)
    src = next(SAMPLES.glob("003*"))
    doc = tmp_path / "in" / src.name
    doc.parent.mkdir()
    shutil.copy(src, doc)
    assert ingest(store, [doc], jobs=1).outcomes[0].action == "added"
    doc.write_text(src.read_text(encoding="utf-8").replace("いわき市長", "郡山市長"), encoding="utf-8")
    out = ingest(store, [doc], jobs=1, keep_history=True).outcomes[0]
    assert out.action == "replaced" and out.history
    assert sorted(d.status for d in store.documents(include_history=True)) == ["current", "superseded"]
    _, rows = store.query("SELECT DISTINCT ?l WHERE { ?a a pia:Assessment ; pia:assessingBody/rdfs:label ?l }")
    assert {r[0] for r in rows} == {"郡山市長"}, "the superseded version must not answer queries"
    assert store.drop(doc.name) and store.documents(include_history=True) == []
    store.close()


def test_one_bad_document_does_not_stop_a_remote_batch(engine, tmp_path):
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    store = open_store(engine.url)
    report = ingest(store, [bad, next(SAMPLES.glob("000*"))], jobs=1)
    assert [o.action for o in report.outcomes] == ["error", "added"]
    assert "empty.txt" in report.outcomes[0].error
    store.close()


def test_unreachable_silent_and_wrong_urls_are_one_line_errors(tmp_path):
    with socket.socket() as s:        # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    silent = socket.socket()           # accepts connections and never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    held = []
    stop = threading.Event()

    def hold():
        silent.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(silent.accept()[0])
            except OSError:
                pass
    threading.Thread(target=hold, daemon=True).start()
    try:
        t0 = time.monotonic()
        r = cli("load", SAMPLES / "000_dc15c94368324d91.txt", "--store",
                f"http://127.0.0.1:{silent.getsockname()[1]}/sparql", "--timeout", "1")
        assert r.exit_code == 2 and "no answer" in r.stderr and "within 1 s" in r.stderr, r.output
        assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.output
        assert time.monotonic() - t0 < 20
        r = cli("query", "files-to-kiko", "--store", f"http://127.0.0.1:{closed}/sparql")
        assert r.exit_code == 2 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.output
    finally:
        stop.set()
        silent.close()
        for c in held:
            c.close()


def test_an_endpoint_without_a_graph_store_is_named(engines, tmp_path):
    """A SPARQL endpoint that takes queries but has no Graph Store Protocol where one is looked for: the load
    says which paths it tried and how to give one."""
    started, missing = engines
    if "oxigraph" not in started:
        pytest.skip(f"SKIPPED LOUDLY: {missing.get('oxigraph')}")
    store = RemoteStore(started["oxigraph"].url, gsp_url=None)
    store.base = store.base + "/nowhere"         # as if the dataset lived elsewhere
    with pytest.raises(OSError, match="no Graph Store Protocol endpoint found .*--gsp-url"):
        store.gsp_url
    store.close()


class _Flaky:
    """A SPARQL server on loopback that refuses the first `failures` Graph Store PUTs with 500 (as Virtuoso under
    memory pressure did in the benchmark) and takes everything else: enough protocol for RemoteStore.write."""

    def __init__(self, failures: int):
        import http.server
        import json as _json
        flaky = self
        self.failures, self.puts = failures, 0

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def reply(self, status, body=b"", ctype="text/plain"):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):        # the Graph Store probe: no such graph
                self.reply(404)

            def do_PUT(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                flaky.puts += 1
                if flaky.puts <= flaky.failures:
                    return self.reply(500, b"SR483: Low query memory")
                self.reply(201)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                if body.startswith("query="):
                    return self.reply(200, _json.dumps({"head": {"vars": ["one"]}, "results": {"bindings": []}})
                                      .encode(), "application/sparql-results+json")
                self.reply(204)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("failures,action", [(RemoteStore.WRITE_ATTEMPTS - 1, "added"), (RemoteStore.WRITE_ATTEMPTS, "error")])
def test_a_write_the_server_refuses_for_a_moment_is_tried_again(failures, action, monkeypatch):
    from pia_graph.services import prepare
    from pia_graph.stores.bulk import write_guarded
    monkeypatch.setattr(time, "sleep", lambda s: None)
    server = _Flaky(failures)
    try:
        store = open_store(server.url)
        out = write_guarded(store, prepare(next(SAMPLES.glob("003*")), validate=False))   # one PUT: no report
        assert out.action == action and server.puts == min(failures + 1, RemoteStore.WRITE_ATTEMPTS)
        if action == "error":
            assert "HTTP 500" in out.error and "\n" not in out.error
        store.close()
    finally:
        server.close()


@pytest.mark.parametrize("first_line_end", [10, 65_533, 65_534, 65_535, 70_000])
def test_graph_store_bodies_end_a_line_where_virtuoso_cuts_them_to_guess_their_type(first_line_end):
    """Virtuoso guesses a Graph Store body's type from its first 65,535 bytes: those must be whole lines, and the
    body must still hold exactly the same triples."""
    import pyoxigraph as ox
    from pia_graph.stores.remote import VIRTUOSO_GUESS_BYTES, guessable_by_virtuoso
    lines, size = [], 0
    while size < 3 * VIRTUOSO_GUESS_BYTES:
        text = "x" * (first_line_end - 60) if not lines else f"行{len(lines)}" * 7
        line = f'<https://example.org/s{len(lines)}> <https://example.org/p> "{text}"@ja .\n'.encode()
        lines.append(line)
        size += len(line)
    body = b"".join(lines)
    out = guessable_by_virtuoso(body)
    assert out[VIRTUOSO_GUESS_BYTES - 1:VIRTUOSO_GUESS_BYTES] == b"\n"
    assert len(out) - len(body) <= VIRTUOSO_GUESS_BYTES
    assert set(ox.parse(out, format=ox.RdfFormat.N_TRIPLES)) == set(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
    assert guessable_by_virtuoso(b"<a:b> <a:c> <a:d> .\n") == b"<a:b> <a:c> <a:d> .\n"
