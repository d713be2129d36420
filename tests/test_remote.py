"""The remote backend against a real SPARQL 1.1 server: Oxigraph's own server (the `oxigraph` package on PyPI ships
it), started on loopback. Same canned-query rows as the local backends, idempotent and incremental ingest."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from pia_graph.backends import MemoryStore, RemoteStore, ingest_paths, open_store, prepare
from pia_graph.cli import app
from pia_graph.pipeline import collect
from pia_graph.query import canned_queries

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


def oxigraph_binary() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(found).exists():
        pytest.fail("the oxigraph server is missing: it comes with the test extras (pip install -e '.[test]')")
    return found


@pytest.fixture()
def server(tmp_path):
    """A fresh Oxigraph server whose default graph is the union of its named graphs (as the backend expects)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([oxigraph_binary(), "serve", "--location", str(tmp_path / "remote"),
                             "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(base + "/query", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"oxigraph server did not start: {proc.stderr.read().decode()[-500:]}")
        time.sleep(0.1)
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_remote_finds_the_server_layout(server):
    # Oxigraph serves the Graph Store Protocol at /store, Fuseki at /data: the backend asks which one answers
    store = open_store(server)
    assert isinstance(store, RemoteStore) and store.data_url == server + "/store"
    store.close()


def test_remote_answers_every_canned_query_like_memory(server):
    remote, memory = open_store(server), MemoryStore()
    for p in collect([SAMPLES]):
        prepared = prepare(p)
        assert remote.write(prepared).action == "added"
        assert memory.write(prepared).action == "added"
    for q in canned_queries():
        h1, r1 = memory.query(q.text)
        h2, r2 = remote.query(q.text)
        assert h1 == h2 and sorted(r1) == sorted(r2), q.name
        assert r1, q.name
    remote.close()


def test_remote_ingest_is_incremental_and_idempotent(server, tmp_path):
    store = open_store(server)
    src = next(SAMPLES.glob("003*"))
    doc = tmp_path / "in" / src.name
    doc.parent.mkdir()
    shutil.copy(src, doc)
    assert store.ingest(doc).action == "added"
    before = store.triple_count()
    assert store.ingest(doc).action == "unchanged" and store.triple_count() == before

    doc.write_text(src.read_text(encoding="utf-8").replace("いわき市長", "郡山市長"), encoding="utf-8")
    out = store.ingest(doc, keep_history=True)
    assert out.action == "replaced" and out.history
    docs = store.documents(include_history=True)
    assert [d.status for d in docs].count("current") == 1 and [d.status for d in docs].count("superseded") == 1
    _, rows = store.query("SELECT DISTINCT ?l WHERE { ?a a pia:Assessment ; pia:assessingBody/rdfs:label ?l }")
    assert {r[0] for r in rows} == {"郡山市長"}, "the superseded version must not answer queries"

    assert store.drop(doc.name)
    assert store.documents(include_history=True) == []
    _, rows = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?a a pia:Assessment }")
    assert rows == [["0"]]
    store.close()


def test_one_bad_document_does_not_stop_a_remote_batch(server, tmp_path):
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    store = open_store(server)
    report = ingest_paths(store, [bad, next(SAMPLES.glob("000*"))], jobs=1, progress=False)
    assert [o.action for o in report.outcomes] == ["error", "added"]
    assert "empty.txt" in report.outcomes[0].error
    store.close()


def test_cli_load_and_query_a_remote_store(server):
    runner = CliRunner()
    r = runner.invoke(app, ["load", str(SAMPLES), "--store", server])
    assert r.exit_code == 0, r.output
    assert "added 5" in r.output
    again = runner.invoke(app, ["load", str(SAMPLES), "--store", server])
    assert again.exit_code == 0 and "unchanged 5" in again.output
    q = runner.invoke(app, ["query", "files-to-kiko", "--store", server, "-f", "csv"])
    assert q.exit_code == 0, q.output
    assert len(q.stdout.strip().splitlines()) == 8 and "千葉県知事" in q.stdout


def test_remote_union_default_graph_path_gives_the_same_rows(server, monkeypatch):
    """Past MAX_DEFAULT_GRAPHS documents the backend stops listing graphs and relies on the endpoint's union default
    graph: the same rows (the manifest's own vocabulary never matches a canned query)."""
    remote = open_store(server)
    ingest_paths(remote, [SAMPLES], jobs=1, progress=False)
    listed = {q.name: remote.query(q.text) for q in canned_queries()}
    monkeypatch.setattr(RemoteStore, "MAX_DEFAULT_GRAPHS", 0)
    for q in canned_queries():
        h, rows = remote.query(q.text)
        assert h == listed[q.name][0] and sorted(rows) == sorted(listed[q.name][1]), q.name
    remote.close()
