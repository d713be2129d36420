"""The web app over a pyoxigraph store (`serve --store`): oxigraph's own engine answers, with the same rows as the
in-memory graph, and repeated questions come from the answer cache until the graph changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from pia_graph.services import ingest
from pia_graph.stores.oxigraph import OxigraphStore
from pia_graph.query import resolve_query, with_prefixes
from pia_graph.server import build_samples, create_app
from pia_graph.sparql_endpoint import native_engine
from pia_graph.store import load_dataset

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
KIKO = "https://w3id.org/pia-graph/id/party/j-lis"


@pytest.fixture(scope="module")
def clients(tmp_path_factory):
    """One app over the seeds loaded into a pyoxigraph store, one over the same seeds built into a TriG file."""
    store_dir = tmp_path_factory.mktemp("store")
    store = OxigraphStore(store_dir)
    report = ingest(store, [SAMPLES], jobs=1)
    assert report.count("added") == 5
    store.close()
    on_store = OxigraphStore(store_dir, read_only=True).dataset()
    in_memory = load_dataset(build_samples(SAMPLES, tmp_path_factory.mktemp("graph") / "samples.trig"))
    assert native_engine(on_store) and not native_engine(in_memory)
    with TestClient(create_app(on_store, samples_dir=SAMPLES)) as a, \
            TestClient(create_app(in_memory, samples_dir=SAMPLES)) as b:
        yield a, b


def table(client, name: str) -> tuple[list[str], set[tuple]]:
    r = client.get(f"/api/queries/{name}")
    assert r.status_code == 200, r.text
    out = r.json()
    return out["columns"], {tuple(row) for row in out["rows"]}


@pytest.mark.parametrize("name", ["files-to-kiko", "files-to-party", "outsourcing-vendors", "citations-per-law"])
def test_store_server_answers_like_the_in_memory_graph(clients, name):
    on_store, in_memory = clients
    columns, rows = table(on_store, name)
    assert (columns, rows) == table(in_memory, name)
    assert rows, name


def test_flagship_over_the_protocol_from_the_store(clients):
    on_store, in_memory = clients
    query = with_prefixes(resolve_query("files-to-kiko"))
    got = [on_store.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}),
           in_memory.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})]
    assert all(r.status_code == 200 for r in got)
    a, b = (json.loads(r.text) for r in got)
    assert a["head"]["vars"] == b["head"]["vars"]
    key = lambda res: sorted(json.dumps({k: v["value"] for k, v in row.items()}, sort_keys=True)  # noqa: E731
                             for row in res["results"]["bindings"])
    assert key(a) == key(b) and len(a["results"]["bindings"]) == 7
    # the 機構 page lists every row with its link back to the source lines
    page = on_store.get("/id/party/j-lis").text
    for row in a["results"]["bindings"]:
        source = row["source"]["value"]
        name, _, lines = source.partition("#")
        assert f"/source/{name}?lines=" in page and lines.split("-")[0][1:] in page


def test_malformed_query_on_the_store_is_400(clients):
    on_store, _ = clients
    r = on_store.get("/sparql", params={"query": "SELECT ?x WHERE { ?x ?p "})
    assert r.status_code == 400 and "malformed" in r.text


def test_repeated_question_comes_from_the_cache_with_an_etag(clients):
    on_store, _ = clients
    site = on_store.app.state.site
    query = with_prefixes(resolve_query("files-to-kiko"))
    first = on_store.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    hits = site.answers.hits
    second = on_store.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    assert second.content == first.content and second.headers["etag"] == first.headers["etag"]
    assert site.answers.hits == hits + 1
    # a client that has the answer already is told so, without a body
    again = on_store.get("/sparql", params={"query": query}, headers={"Accept": "text/csv",
                                                                     "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and not again.content
    # another format is another answer
    js = on_store.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert js.headers["etag"] != first.headers["etag"]
    # a change to the graph forgets every answer and changes the ETag
    site.answers.advance()
    after = on_store.get("/sparql", params={"query": query}, headers={"Accept": "text/csv",
                                                                     "If-None-Match": first.headers["etag"]})
    assert after.status_code == 200 and after.headers["etag"] != first.headers["etag"]
    assert after.content == first.content


def test_party_page_is_paged_by_body(clients, monkeypatch):
    import pia_graph.server as server
    on_store, _ = clients
    whole = on_store.get("/id/party/j-lis").text
    assert "page 1 of" not in whole                 # four bodies fit on one page
    monkeypatch.setattr(server, "PARTY_PAGE", 3)
    first, second = on_store.get("/id/party/j-lis").text, on_store.get("/id/party/j-lis?page=2").text
    assert "page 1 of 2" in first and "page 2 of 2" in second and "Bodies 4–4 of 4" in second
    bodies = ["札幌市長", "久留米市長", "千葉県知事", "(body not stated: fragment)"]
    shown = lambda html: {b for b in bodies if f"<h3>{b}</h3>" in html}  # noqa: E731
    assert shown(whole) == set(bodies)
    assert len(shown(first)) == 3 and len(shown(second)) == 1 and shown(first) | shown(second) == set(bodies)
    assert on_store.get("/id/party/j-lis?page=99").text.count("<h3>") == 1   # past the end: the last page
    assert "kiko=https%3A//w3id.org/pia-graph/id/party/j-lis&amp;format=csv" in first
    r = on_store.get("/queries/files-to-kiko", params={"kiko": KIKO, "format": "csv"})
    assert r.status_code == 200 and len(r.text.strip().splitlines()) == 8


def test_store_server_answers_from_the_store_answer_book(tmp_path):
    """serve --store: the flagship answer is computed at start-up (warm) into the store's answer book, and the 機構
    page and the canned query are served from it while the store is unchanged."""
    import time

    from pia_graph.query import FLAGSHIP, canned_text, party_files_query

    store = OxigraphStore(tmp_path / "db")
    ingest(store, [SAMPLES], jobs=1)
    store.close()
    served = OxigraphStore(tmp_path / "db", read_only=True)
    book = served.answers
    ds = served.dataset()
    with TestClient(create_app(store=served, samples_dir=SAMPLES, warm=True)) as client:
        for _ in range(100):      # the warm-up runs in the background
            if book.get(canned_text(FLAGSHIP)) and book.get(party_files_query(KIKO)):
                break
            time.sleep(0.1)
        kept = book.get(party_files_query(KIKO))
        assert kept is not None and len(kept.rows) == 7
        page = client.get("/id/party/j-lis").text
        assert all(f"<h3>{b}</h3>" in page for b in ("札幌市長", "久留米市長", "千葉県知事"))
        assert "第30条の7" in page or "30の7" in page
        # what the page shows is what the book holds: change the book's copy and the page follows
        i = kept.columns.index("recipient")
        changed = [r[:i] + ["(from the book)"] + r[i + 1:] for r in kept.rows]
        book.put(party_files_query(KIKO), kept.columns, changed, book.generation(), 0.0)
        fresh_app = TestClient(create_app(ds, samples_dir=SAMPLES, book=book))
        assert "(from the book)" in fresh_app.get("/id/party/j-lis").text
        csv_rows = client.get("/queries/files-to-kiko", params={"format": "csv"}).text.strip().splitlines()
        assert len(csv_rows) == 8
    served.close()


def test_party_page_of_another_party_shows_its_articles(clients):
    """The flagship query binds its party in two places (the rows and the legal-basis block); a party page for any
    party other than 機構 must bind both, or its rows lose their articles."""
    for client in clients:
        residents = next(p for p in client.get("/api/parties").json() if p["label"] == "住民")  # 千葉県's 提供先3
        page = client.get("/resource", params={"iri": residents["iri"]}).text
        assert "<h3>千葉県知事</h3>" in page
        assert "住民基本台帳法" in page and "(no article cited)" not in page


def test_canned_queries_are_not_cut_by_the_endpoint_row_limit(tmp_path):
    """The row limit guards /sparql against arbitrary queries; the flagship listing (14,000 rows at national scale)
    is the project's own question and comes back whole."""
    ds = load_dataset(build_samples(SAMPLES, tmp_path / "samples.trig"))
    with TestClient(create_app(ds, samples_dir=SAMPLES, max_results=3)) as client:
        query = with_prefixes(resolve_query("files-to-kiko"))
        refused = client.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
        assert refused.status_code == 503 and "result limit" in refused.text
        whole = client.get("/queries/files-to-kiko", params={"format": "csv"})
        assert whole.status_code == 200 and len(whole.text.strip().splitlines()) == 8
        assert len(client.get("/api/queries/files-to-kiko").json()["rows"]) == 7


def test_serve_store_with_allow_ingest_writes_uploads_to_the_store(tmp_path):
    """serve --store DIR --allow-ingest: an upload goes into the store through the same write as `load` (one
    transaction, manifest entry), the answer book forgets the old answer, and the store keeps it after the server."""
    from pia_graph.query import FLAGSHIP, canned_text

    token = "t" * 32
    store = OxigraphStore(tmp_path / "db")
    ingest(store, [p for p in SAMPLES.glob("*.txt") if not p.name.startswith("001")], jobs=1)
    before = store.answer(canned_text(FLAGSHIP))
    assert "札幌市長" not in {r[before.columns.index("organization")] for r in before.rows}
    with TestClient(create_app(store=store, samples_dir=SAMPLES, allow_ingest=True, ingest_token=token)) as client:
        seed = next(SAMPLES.glob("001*"))
        r = client.post("/api/ingest", params={"filename": seed.name}, content=seed.read_bytes(),
                        headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200, r.text
        assert r.json()["replaced"] == [] and r.json()["triples"] > 100
        csv_text = client.get("/queries/files-to-kiko", params={"format": "csv"}).text
        assert "札幌市長" in csv_text
    assert seed.name in {d.name for d in store.documents()}
    after = store.answer(canned_text(FLAGSHIP))       # kept by the page request above, for the store as it is now
    assert "札幌市長" in {r[after.columns.index("organization")] for r in after.rows}
    assert sorted(after.rows) == sorted(store.answer(canned_text(FLAGSHIP), fresh=True).rows)
    store.close()


def test_cli_serve_store_refuses_a_folder_that_is_not_a_store(tmp_path):
    from typer.testing import CliRunner
    from pia_graph.cli import app
    r = CliRunner().invoke(app, ["serve", "--store", str(tmp_path)])
    assert r.exit_code == 2 and "not a pia-graph store" in r.stderr
